package io.s3lockproxy.server;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.s3lockproxy.s3.DeleteObjectsBody;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.UpstreamCall;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Conditions on a write, decided while its key lock is held.
 *
 * <p>A client's {@code If-Match} / {@code If-None-Match} (and {@code If-Match} on DeleteObject) is
 * checked against the object's state read by a HEAD under the lock, so it holds for every writer
 * that goes through the proxy even where the upstream ignores it; it is also forwarded, so an
 * upstream that enforces it guards against writers that bypass the proxy. In {@code fenced} mode
 * the write also gets the storage condition that keeps out a holder whose lease lapsed —
 * {@code If-Match} on the ETag seen under the lock, or {@code If-None-Match: *} — wherever the
 * bucket's upstream enforces it ({@link StorageProtections}); combined with the client's own, the
 * stricter one goes up. A write without a condition of its own is fenced on what the key's previous
 * write through this instance left ({@link LastWrites}) when that is certainly current, without a HEAD.
 */
final class ConditionCheck {
    private static final Set<S3Operation> WRITES = Set.of(
            S3Operation.PUT_OBJECT, S3Operation.COPY_OBJECT, S3Operation.COMPLETE_MULTIPART_UPLOAD);
    private static final List<String> SSE_C_HEADERS = List.of("x-amz-server-side-encryption-customer-algorithm",
            "x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-customer-key-md5");

    private static final int PARALLEL_HEADS = 8;

    private final UpstreamCall calls;
    private final StorageProtections protections;
    private final boolean fenced;

    ConditionCheck(UpstreamCall calls, StorageProtections protections, boolean fenced) {
        this.calls = calls;
        this.protections = protections;
        this.fenced = fenced;
    }

    /** Returns whether the storage could be asked to fence this operation at all. */
    static boolean fenceable(S3Request request) {
        return WRITES.contains(request.operation()) || request.operation() == S3Operation.DELETE_OBJECT;
    }

    /**
     * Returns whether {@code request} needs {@link #check}; {@code mustFence} is set when its lock
     * is not shared through Redis (Redis down, {@code onRedisDown: conditional}).
     */
    boolean applies(S3Request request, boolean mustFence) {
        return fenceable(request) && (fenced || mustFence || hasClientCondition(request));
    }

    /**
     * After the storage refused a condition the proxy added to {@code request}'s write ({@code sent})
     * while the write's lock was still held: reads the object, and if it is in the very state the
     * condition named, the storage's conditions disagree with its own reads (radosgw 16 in a bucket
     * that keeps versions, or whose versioning is suspended, over a delete marker). A fence on them
     * would refuse every write of the key, so the bucket is not fenced until it is probed again,
     * which starts at once: the same refusal comes from another writer changing the object and back
     * ({@link StorageProtections#recheck}). Call on {@code loop}.
     */
    void checkRefusal(EventLoop loop, S3Request request, Conditions sent) {
        String ifMatch = sent.set() == null ? null : sent.set().get("If-Match");
        boolean ifAbsent = sent.set() != null && "*".equals(sent.set().get("If-None-Match"));
        if (ifMatch == null && !ifAbsent || request.operation() == S3Operation.DELETE_OBJECT) {
            return;
        }
        head(loop, request).addListener((Future<ObjectState> f) -> {
            if (!f.isSuccess()) {
                return;
            }
            ObjectState now = f.getNow();
            boolean held = ifMatch != null ? now.exists() && ETags.bare(now.etag()).equals(ETags.bare(ifMatch))
                    : !now.exists();
            if (held) {
                protections.recheck(loop, request.bucket(), request.requestId());
            }
        });
    }

    /**
     * Forgets what the probe of {@code request}'s bucket found when the request may change it: a
     * change of a bucket's configuration (its versioning, its object lock) or the bucket itself.
     */
    void bucketMayChange(S3Request request) {
        boolean reads = request.method().equals("GET") || request.method().equals("HEAD");
        if (request.bucket() != null && request.key() == null && !reads) {
            protections.forget(request.bucket());
        }
    }

    /**
     * Returns the conditions the upstream request carries; fails with an S3Exception when the
     * client's condition does not hold (412 PreconditionFailed, 404 NoSuchKey), when the upstream
     * refuses to show the object's state (its 4xx), when that state cannot be read (503), or when
     * {@code mustFence} is set and the storage cannot fence (503). {@code known} gives the object's
     * state when it is known without reading it, else null. Call on {@code loop} while holding the
     * key's lock; completes on {@code loop}.
     */
    Future<Conditions> check(EventLoop loop, S3Request request, boolean mustFence, Supplier<ObjectState> known) {
        Promise<Conditions> result = loop.newPromise();
        boolean delete = request.operation() == S3Operation.DELETE_OBJECT;
        // Only fencing, and a delete's condition (some upstreams refuse it), need to know what the storage enforces.
        Future<StorageProtection> probed = fenced || mustFence || delete ? protections.of(loop, request.bucket())
                : loop.newSucceededFuture(StorageProtection.UNKNOWN);
        probed.addListener((Future<StorageProtection> f) -> {
            StorageProtection protection = f.getNow();
            boolean enforced = delete ? protection.deletes() == StorageProtection.Deletes.ENFORCED
                    : protection.writesBy(request.operation()).enforced();
            boolean fence = enforced && (fenced || mustFence);
            if (mustFence && !enforced) {
                result.tryFailure(new S3Exception(S3ErrorCode.SLOW_DOWN,
                        "The lock service is unavailable and the storage cannot fence this write; retry."));
                return;
            }
            String drop = delete && protection.deletes() == StorageProtection.Deletes.REJECTED ? "If-Match" : null;
            if (!fence && !hasClientCondition(request)) {
                result.trySuccess(new Conditions(null, drop, false));
                return;
            }
            ObjectState remembered = fence && !hasClientCondition(request) ? known.get() : null;
            if (remembered != null) {
                result.trySuccess(fenceConditions(request, remembered, delete, protection.etags()));
                return;
            }
            head(loop, request).addListener((Future<ObjectState> h) -> {
                if (!h.isSuccess()) {
                    result.tryFailure(h.cause());
                    return;
                }
                try {
                    checkClientCondition(request, h.getNow());
                    result.trySuccess(fence ? fenceConditions(request, h.getNow(), delete, protection.etags())
                            : new Conditions(null, drop, false));
                } catch (S3Exception e) {
                    result.tryFailure(e);
                }
            });
        });
        return result;
    }

    /**
     * Returns what becomes of a DeleteObjects request whose objects carry ETags, checked under the
     * locks of all its keys: an upstream that enforces conditional deletes checks them itself (the
     * body goes up as sent, null); otherwise each conditioned object is read (a few at a time) and
     * the ones whose condition fails are taken out of the body and answered for. Call on
     * {@code loop}; completes on {@code loop}.
     */
    Future<DeleteObjectsRewrite> checkDeleteObjects(EventLoop loop, S3Request request, DeleteObjectsBody.Parsed parsed) {
        Promise<DeleteObjectsRewrite> result = loop.newPromise();
        protections.of(loop, request.bucket()).addListener((Future<StorageProtection> f) -> {
            if (f.getNow().deletes() == StorageProtection.Deletes.ENFORCED) {
                result.trySuccess(null);
                return;
            }
            new DeleteConditions(loop, request, parsed, result).start();
        });
        return result;
    }

    /** The HEADs behind {@link #checkDeleteObjects}, at most {@value #PARALLEL_HEADS} at a time. */
    private final class DeleteConditions {
        private final EventLoop loop;
        private final S3Request request;
        private final DeleteObjectsBody.Parsed parsed;
        private final Promise<DeleteObjectsRewrite> result;
        private final List<DeleteObjectsBody.Entry> conditioned;
        private final java.util.Map<DeleteObjectsBody.Entry, S3ErrorCode> failed = new java.util.HashMap<>();
        private int next;
        private int running;

        DeleteConditions(EventLoop loop, S3Request request, DeleteObjectsBody.Parsed parsed,
                         Promise<DeleteObjectsRewrite> result) {
            this.loop = loop;
            this.request = request;
            this.parsed = parsed;
            this.result = result;
            this.conditioned = parsed.entries().stream().filter(e -> e.etag() != null).toList();
        }

        void start() {
            if (conditioned.isEmpty()) {
                finish();
                return;
            }
            while (running < PARALLEL_HEADS && next < conditioned.size()) {
                DeleteObjectsBody.Entry entry = conditioned.get(next++);
                running++;
                S3Request one = new S3Request(request.requestId(), "HEAD", request.rawPath(), "", List.of(),
                        request.headers(), request.bucket(), entry.key(), S3Operation.HEAD_OBJECT);
                head(loop, one).addListener((Future<ObjectState> f) -> {
                    running--;
                    if (!f.isSuccess()) {
                        result.tryFailure(f.cause());
                        return;
                    }
                    if (!f.getNow().exists()) {
                        failed.put(entry, S3ErrorCode.NO_SUCH_KEY);
                    } else if (!ETags.matches(entry.etag(), f.getNow().etag())) {
                        failed.put(entry, S3ErrorCode.PRECONDITION_FAILED);
                    }
                    if (next == conditioned.size() && running == 0) {
                        finish();
                    } else {
                        start();
                    }
                });
            }
        }

        private void finish() {
            StringBuilder errors = new StringBuilder();
            List<DeleteObjectsBody.Entry> kept = new java.util.ArrayList<>();
            for (DeleteObjectsBody.Entry e : parsed.entries()) {
                S3ErrorCode code = failed.get(e);
                if (code == null) {
                    kept.add(e);
                } else {
                    errors.append(DeleteObjectsRewrite.error(e.key(), e.versionId(), code));
                }
            }
            result.trySuccess(new DeleteObjectsRewrite(kept.isEmpty() ? null
                    : DeleteObjectsBody.render(parsed.quiet(), kept, false), errors.toString()));
        }
    }

    /** The state of the object, read under the lock; the client's SSE-C key goes along, as S3 needs it for such objects. */
    private Future<ObjectState> head(EventLoop loop, S3Request request) {
        Promise<ObjectState> result = loop.newPromise();
        HttpHeaders headers = new DefaultHttpHeaders();
        for (String name : SSE_C_HEADERS) {
            String value = request.headers().get(name);
            if (value != null) {
                headers.set(name, value);
            }
        }
        calls.send(loop, new UpstreamRequest("HEAD", request.bucket(), request.key(), List.of(), headers, BodyPlan.NONE))
                .addListener((Future<UpstreamCall.Answer> f) -> {
                    if (!f.isSuccess()) {
                        result.tryFailure(new S3Exception(S3ErrorCode.SERVICE_UNAVAILABLE,
                                "The object's current state could not be read from the upstream; nothing was written."));
                        return;
                    }
                    int status = f.getNow().status();
                    if (status == 200) {
                        result.trySuccess(new ObjectState(true, f.getNow().headers().get("ETag", "")));
                    } else if (status == 404) {
                        result.trySuccess(ObjectState.ABSENT);
                    } else {
                        result.tryFailure(headRefused(status));
                    }
                });
        return result;
    }

    /**
     * The upstream would not show the object's state: a refusal it would also give the write (a
     * key it does not accept, an SSE-C object without its key, credentials that may not read) is
     * relayed as that refusal, never as a retryable 5xx; its own trouble is a 503.
     */
    private static S3Exception headRefused(int status) {
        String message = "The upstream answered " + status + " when the proxy read the object's state under the"
                + " write's lock; nothing was written.";
        if (status >= 500) {
            return new S3Exception(S3ErrorCode.SERVICE_UNAVAILABLE, message);
        }
        return new S3Exception(status == 403 ? S3ErrorCode.ACCESS_DENIED
                : status == 405 ? S3ErrorCode.METHOD_NOT_ALLOWED : S3ErrorCode.INVALID_REQUEST, message);
    }

    /**
     * The storage condition for the state seen under the lock, merged with the client's (already
     * checked) own; an ETag goes up in the {@code form} the upstream matches.
     */
    private static Conditions fenceConditions(S3Request request, ObjectState state, boolean delete,
                                              StorageProtection.ETagForm form) {
        if (delete && !state.exists()) {
            // Nothing to match: a delete of a missing key cannot be made conditional.
            return Conditions.AS_SENT;
        }
        String name = state.exists() ? "If-Match" : "If-None-Match";
        String value = state.exists() ? form.format(state.etag()) : "*";
        String clients = request.headers().get(name);
        boolean same = clients != null && ETags.bare(clients).equals(ETags.bare(value));
        boolean otherClientCondition = !delete && request.headers().contains(state.exists() ? "If-None-Match" : "If-Match");
        return new Conditions(new DefaultHttpHeaders().set(name, value), null, !same || otherClientCondition);
    }

    private static void checkClientCondition(S3Request request, ObjectState state) {
        String ifMatch = request.headers().get("If-Match");
        String ifNoneMatch = request.operation() == S3Operation.DELETE_OBJECT ? null : request.headers().get("If-None-Match");
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

    static boolean hasClientCondition(S3Request request) {
        return request.headers().contains("If-Match")
                || request.operation() != S3Operation.DELETE_OBJECT && request.headers().contains("If-None-Match");
    }

    /** Returns whether the request carries conditions on its copy source ({@code x-amz-copy-source-if-*}). */
    static boolean hasCopySourceCondition(S3Request request) {
        for (Map.Entry<String, String> h : request.headers()) {
            if (h.getKey().toLowerCase(Locale.ROOT).startsWith("x-amz-copy-source-if-")) {
                return true;
            }
        }
        return false;
    }
}
