package io.s3lockproxy.server;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.s3lockproxy.config.LockConfig;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.UpstreamCall;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conditions on a write, checked while its key lock is held.
 *
 * <p>A client's {@code If-Match} / {@code If-None-Match: *} is checked against a HEAD made under
 * the lock, so it holds atomically for every writer that goes through the proxy even where the
 * upstream ignores the headers (they are still forwarded, so an upstream that enforces them guards
 * against writers that bypass the proxy too). In {@code fenced} mode a write without a condition
 * of its own gets one added — {@code If-Match} on the ETag seen under the lock, or
 * {@code If-None-Match: *} — so that a holder whose lease expired while it was paused is refused
 * by the storage itself; that needs an upstream that enforces conditions, which is probed once per
 * bucket.
 */
final class WriteGuard {
    private static final Logger LOG = LoggerFactory.getLogger(WriteGuard.class);
    private static final Set<S3Operation> CONDITIONAL = Set.of(
            S3Operation.PUT_OBJECT, S3Operation.COPY_OBJECT, S3Operation.COMPLETE_MULTIPART_UPLOAD);
    private static final String PROBE_PREFIX = ".s3-lock-proxy/probe-";

    private final UpstreamCall calls;
    private final boolean fenced;
    private final Map<String, Boolean> enforcingBuckets = new ConcurrentHashMap<>();
    private final LongAdder fenceRejections = new LongAdder();

    WriteGuard(UpstreamCall calls, LockConfig.Mode mode) {
        this.calls = calls;
        this.fenced = mode == LockConfig.Mode.FENCED;
    }

    /**
     * Returns whether {@code request} needs a check under its lock; {@code mustFence} is set when
     * the lock is not shared through Redis (Redis down, {@code onRedisDown: conditional}).
     */
    boolean applies(S3Request request, boolean mustFence) {
        return CONDITIONAL.contains(request.operation()) && (fenced || mustFence || hasClientCondition(request));
    }

    /** Returns whether a write of this operation can be made conditional at the storage. */
    boolean canFence(S3Request request) {
        return CONDITIONAL.contains(request.operation());
    }

    /**
     * Returns the condition headers to add to the upstream write (empty for none); fails with an
     * S3Exception (412 PreconditionFailed, 404 NoSuchKey) when the client's condition does not hold,
     * or 503 when {@code mustFence} is set and the bucket's upstream cannot fence. Call on
     * {@code loop} while holding the key's lock.
     */
    Future<HttpHeaders> check(EventLoop loop, S3Request request, boolean mustFence) {
        Promise<HttpHeaders> result = loop.newPromise();
        boolean clientCondition = hasClientCondition(request);
        StateCheck underLock = state -> {
            if (clientCondition) {
                checkClientCondition(request, state);
                return new DefaultHttpHeaders();
            }
            return fence(state);
        };
        if (!fenced && !mustFence) {
            head(loop, request, result, underLock);
            return result;
        }
        enforcement(loop, request.bucket()).addListener((Future<Boolean> f) -> {
            if (f.isSuccess() && f.getNow()) {
                head(loop, request, result, underLock);
            } else if (mustFence) {
                result.tryFailure(new S3Exception(S3ErrorCode.SLOW_DOWN,
                        "The lock service is unavailable and the storage cannot fence this write; retry."));
            } else if (clientCondition) {
                head(loop, request, result, state -> {
                    checkClientCondition(request, state);
                    return new DefaultHttpHeaders();
                });
            } else {
                result.trySuccess(new DefaultHttpHeaders());
            }
        });
        return result;
    }

    private Future<Boolean> enforcement(EventLoop loop, String bucket) {
        Boolean known = enforcingBuckets.get(bucket);
        return known != null ? loop.newSucceededFuture(known) : probe(loop, bucket);
    }

    /** Counts an upstream 412 on a condition the proxy added: a write the lock failed to keep out. */
    void recordFenceRejection() {
        fenceRejections.increment();
    }

    /** Returns how many stale writes the storage refused because of an added condition. */
    long fenceRejections() {
        return fenceRejections.sum();
    }

    private record ObjectState(boolean exists, String etag) {
    }

    private interface StateCheck {
        HttpHeaders apply(ObjectState state);
    }

    private void head(EventLoop loop, S3Request request, Promise<HttpHeaders> result, StateCheck check) {
        UpstreamRequest head = new UpstreamRequest("HEAD", request.bucket(), request.key(), List.of(),
                new DefaultHttpHeaders(), BodyPlan.NONE);
        calls.send(loop, head).addListener((Future<UpstreamCall.Answer> f) -> {
            if (!f.isSuccess()) {
                result.tryFailure(new S3Exception(S3ErrorCode.SERVICE_UNAVAILABLE,
                        "The object's current state could not be read from the upstream."));
                return;
            }
            UpstreamCall.Answer answer = f.getNow();
            ObjectState state;
            if (answer.status() == 200) {
                state = new ObjectState(true, answer.headers().get("ETag", ""));
            } else if (answer.status() == 404) {
                state = new ObjectState(false, null);
            } else {
                result.tryFailure(new S3Exception(S3ErrorCode.SERVICE_UNAVAILABLE,
                        "The upstream answered " + answer.status() + " when the object's state was read."));
                return;
            }
            try {
                result.trySuccess(check.apply(state));
            } catch (S3Exception e) {
                result.tryFailure(e);
            }
        });
    }

    private static HttpHeaders fence(ObjectState state) {
        HttpHeaders added = new DefaultHttpHeaders();
        if (state.exists()) {
            added.set("If-Match", state.etag());
        } else {
            added.set("If-None-Match", "*");
        }
        return added;
    }

    private static void checkClientCondition(S3Request request, ObjectState state) {
        String ifMatch = request.headers().get("If-Match");
        String ifNoneMatch = request.headers().get("If-None-Match");
        if (ifMatch != null) {
            if (!state.exists()) {
                throw new S3Exception(S3ErrorCode.NO_SUCH_KEY);
            }
            if (!ETags.matches(ifMatch, state.etag())) {
                throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED, S3ErrorCode.PRECONDITION_FAILED.defaultMessage(),
                        Map.of("Condition", "If-Match"));
            }
        }
        if (ifNoneMatch != null && state.exists() && ETags.matches(ifNoneMatch, state.etag())) {
            throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED, S3ErrorCode.PRECONDITION_FAILED.defaultMessage(),
                    Map.of("Condition", "If-None-Match"));
        }
    }

    private static boolean hasClientCondition(S3Request request) {
        return request.headers().contains("If-Match") || request.headers().contains("If-None-Match");
    }

    /** Returns whether the upstream refuses an If-Match on a missing key in {@code bucket}. */
    private Future<Boolean> probe(EventLoop loop, String bucket) {
        Promise<Boolean> result = loop.newPromise();
        String key = PROBE_PREFIX + UUID.randomUUID();
        HttpHeaders headers = new DefaultHttpHeaders().set("If-Match", "\"s3-lock-proxy-probe\"");
        UpstreamRequest put = new UpstreamRequest("PUT", bucket, key, List.of(), headers,
                new BodyPlan(BodyPlan.Kind.UNSIGNED, 0, null));
        calls.send(loop, put).addListener((Future<UpstreamCall.Answer> f) -> {
            if (!f.isSuccess()) {
                result.trySuccess(false);
                return;
            }
            int status = f.getNow().status();
            boolean enforced = status == 412 || status == 404;
            if (enforced || status / 100 == 2) {
                enforcingBuckets.put(bucket, enforced);
            }
            if (enforced) {
                result.trySuccess(true);
                return;
            }
            LOG.error("lock.mode fenced is refused for bucket {}: the upstream accepted If-Match on a missing key"
                    + " (status {}), so it does not enforce conditional writes; writes to this bucket are serialized"
                    + " by the lock only", bucket, status);
            if (status / 100 != 2) {
                result.trySuccess(false);
                return;
            }
            // The probe created an empty object: remove it before the write goes on.
            calls.send(loop, new UpstreamRequest("DELETE", bucket, key, List.of(), new DefaultHttpHeaders(),
                    BodyPlan.NONE)).addListener(d -> result.trySuccess(false));
        });
        return result;
    }
}
