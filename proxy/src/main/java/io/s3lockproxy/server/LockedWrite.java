package io.s3lockproxy.server;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.s3lockproxy.lock.HeldKeys;
import io.s3lockproxy.lock.LockException;
import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WriteAdmission} of a write: its key locks (local, then Redis), the conditions decided
 * under them, the check at its commit point, the attribution of a 412 to the proxy's fence or the
 * client's own condition, and the release — at once, or after the settle period when the outcome
 * stayed unknown. Used on one exchange's event loop; lock completions hop back to it.
 */
final class LockedWrite implements WriteAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(LockedWrite.class);

    private final WriteServices services;
    private final EventLoop loop;
    private final S3Request request;
    private final List<LockKey> keys;
    private final boolean anonymous;
    private HeldKeys held;
    private Conditions conditions = Conditions.AS_SENT;
    private boolean inDoubt;
    private boolean ended;
    /** The ETag of the upstream's 200 answer, or null. */
    private String answer;

    /** {@code anonymous}: the write goes up unsigned, so the proxy reads nothing on its behalf (no conditions). */
    LockedWrite(WriteServices services, EventLoop loop, S3Request request, List<LockKey> keys, boolean anonymous) {
        this.services = services;
        this.loop = loop;
        this.request = request;
        this.keys = keys;
        this.anonymous = anonymous;
    }

    @Override
    public Future<UpstreamRequest> admit(UpstreamRequest planned, Runnable onLeaseLost) {
        Promise<UpstreamRequest> result = loop.newPromise();
        services.locks().acquire(keys, request.requestId()).whenComplete((granted, error) -> {
            try {
                loop.execute(() -> locked(granted, error, planned, onLeaseLost, result));
            } catch (RejectedExecutionException shuttingDown) {
                if (granted != null) {
                    granted.release();
                }
            }
        });
        return result;
    }

    private void locked(HeldKeys granted, Throwable error, UpstreamRequest planned, Runnable onLeaseLost,
                        Promise<UpstreamRequest> result) {
        if (ended) {
            // The exchange ended (the client left) while this request queued for its locks.
            if (granted != null) {
                granted.release();
            }
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof LockException)) {
                LOG.error("request {}: lock acquisition failed", request.requestId(), cause);
            }
            result.tryFailure(new S3Exception(S3ErrorCode.SLOW_DOWN, cause instanceof LockException
                    ? "The object is busy with another write; retry." : S3ErrorCode.SLOW_DOWN.defaultMessage()));
            return;
        }
        held = granted;
        granted.onLost(() -> loop.execute(() -> {
            if (!ended && !inDoubt) {
                onLeaseLost.run();
            }
        }));
        // Redis is configured but these locks are local only (onRedisDown: conditional): only the
        // storage's conditions can keep other instances' writers out.
        boolean mustFence = !granted.distributed() && services.locksShared();
        if (mustFence && !ConditionCheck.fenceable(request)) {
            result.tryFailure(new S3Exception(S3ErrorCode.SLOW_DOWN,
                    "The lock service is unavailable and this write cannot be fenced at the storage; retry."));
            return;
        }
        if (anonymous && mustFence) {
            result.tryFailure(new S3Exception(S3ErrorCode.SLOW_DOWN,
                    "The lock service is unavailable and an anonymous write cannot be fenced at the storage; retry."));
            return;
        }
        if (anonymous || !services.conditions().applies(request, mustFence)) {
            result.trySuccess(planned);
            return;
        }
        services.conditions().check(loop, request, mustFence, this::knownState).addListener((Future<Conditions> f) -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause() instanceof S3Exception e ? e : internalError(f.cause()));
                return;
            }
            conditions = f.getNow();
            result.trySuccess(conditions.applyTo(planned));
        });
    }

    /** The single key's state as its previous write through this instance left it, if certainly current. */
    private ObjectState knownState() {
        return keys.size() == 1 ? services.lastWrites().known(keys.get(0), held) : null;
    }

    private S3Exception internalError(Throwable cause) {
        LOG.error("request {}: checking the write's conditions failed", request.requestId(), cause);
        return new S3Exception(S3ErrorCode.INTERNAL_ERROR, "The write's conditions could not be checked; nothing was"
                + " written.");
    }

    @Override
    public boolean guardsCommit() {
        return true;
    }

    @Override
    public Future<Boolean> readyToCommit() {
        CompletableFuture<Boolean> confirmation = held.confirm();
        if (confirmation.isDone() && loop.inEventLoop()) {
            // Confirmed without a round trip (local locks, a lease confirmed moments ago): no hop.
            boolean confirmed = !confirmation.isCompletedExceptionally() && Boolean.TRUE.equals(confirmation.join());
            return loop.newSucceededFuture(confirmed && held.canCommit());
        }
        Promise<Boolean> ready = loop.newPromise();
        confirmation.whenComplete((confirmed, error) -> {
            try {
                // canCommit() runs in the task that then sends the end of the request.
                loop.execute(() -> ready.trySuccess(Boolean.TRUE.equals(confirmed) && held.canCommit()));
            } catch (RejectedExecutionException shuttingDown) {
                ready.trySuccess(false);
            }
        });
        return ready;
    }

    @Override
    public void committed() {
        inDoubt = true;
        held.commitInDoubt();
    }

    @Override
    public S3Exception refusal(HttpResponse response) {
        answer = response.status().code() == 200 ? response.headers().get(HttpHeaderNames.ETAG) : null;
        if (response.status().code() != 412 || !conditions.proxyAdded()) {
            return null;
        }
        if (ConditionCheck.hasCopySourceCondition(request) && !held.isLost()) {
            // With the lock held throughout, the destination cannot have changed: the client's
            // condition on its copy source is what failed.
            return null;
        }
        services.fenceRejections().increment();
        if (!held.isLost()) {
            services.conditions().checkRefusal(loop, request, conditions);
        }
        LOG.warn("request {}: the upstream refused the write on the condition the proxy added: the object changed"
                + " since the proxy saw it (a lapsed lock, or a writer that bypasses the proxy)", request.requestId());
        return new S3Exception(S3ErrorCode.SLOW_DOWN, "The object changed since the proxy saw it under this request's"
                + " lock (a lapsed lock, or a writer that bypasses the proxy); nothing was written. Retry.");
    }

    /** Under the locks still: tells {@link LastWrites} what the next writer of the keys may rely on. */
    private void rememberWhatWasWritten(Outcome outcome) {
        if (outcome == Outcome.ANSWERED && answer != null && request.operation() == S3Operation.PUT_OBJECT
                && keys.size() == 1 && !anonymous) {
            services.lastWrites().wrote(keys.get(0), held, answer);
        } else if (outcome != Outcome.NOT_SENT) {
            services.lastWrites().forget(keys);
        }
    }

    @Override
    public void end(Outcome outcome) {
        if (ended) {
            throw new IllegalStateException("request " + request.requestId() + ": write ended twice");
        }
        ended = true;
        if (held == null) {
            return;
        }
        rememberWhatWasWritten(outcome);
        if (outcome == Outcome.UNKNOWN) {
            LOG.warn("request {}: the outcome of the write to {} is unknown; its keys stay locked for the settle period",
                    request.requestId(), keys.size() == 1 ? keys.get(0) : keys.size() + " keys");
            held.releaseAfterSettle();
        } else {
            held.release();
        }
    }
}
