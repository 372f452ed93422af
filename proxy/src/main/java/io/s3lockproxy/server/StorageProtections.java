package io.s3lockproxy.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.UpstreamCall;
import io.s3lockproxy.upstream.UpstreamCall.Answer;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once per bucket, which conditions its upstream enforces ({@link StorageProtection}),
 * by probing with objects under {@value #PROBE_PREFIX} that it removes again:
 * <ol>
 *   <li>a PUT with {@code If-Match} on a missing key must be refused (412, or 404 NoSuchKey);</li>
 *   <li>a PUT with {@code If-Match} whose last byte is held back until another PUT has replaced the
 *       object must be refused too (412, or 409 ConditionalRequestConflict) to count as atomic: an
 *       upstream that checks conditions when it starts on a request (S3Proxy 4.1) lets it through;</li>
 *   <li>a DELETE with {@code If-Match} on a missing key tells whether conditional deletes are
 *       enforced (412 / 404), ignored (2xx) or refused outright.</li>
 * </ol>
 * Answers that say nothing about conditions (a missing bucket, an access error, an outage) are
 * not remembered; the bucket is probed again by its next write. What was learned is kept for an
 * hour, for at most {@value #MAX_BUCKETS} buckets.
 */
final class StorageProtections {
    private static final Logger LOG = LoggerFactory.getLogger(StorageProtections.class);
    static final String PROBE_PREFIX = ".s3-lock-proxy/probe-";
    private static final int MAX_BUCKETS = 10_000;
    private static final Duration CONTINUE_WAIT = Duration.ofSeconds(1);
    /** How long the race probe gives the upstream to start on its conditional request. */
    private static final Duration RACE_PAUSE = Duration.ofMillis(200);
    private static final String PROBE_ETAG = "\"s3-lock-proxy-probe\"";

    private final UpstreamCall calls;
    private final boolean fenced;
    private final Cache<String, StorageProtection> known = Caffeine.newBuilder()
            .maximumSize(MAX_BUCKETS).expireAfterWrite(Duration.ofHours(1)).build();
    private final ConcurrentHashMap<String, CompletableFuture<StorageProtection>> probing = new ConcurrentHashMap<>();

    /** {@code fenced}: whether the proxy relies on what is found (lock.mode fenced); it says so in the log. */
    StorageProtections(UpstreamCall calls, boolean fenced) {
        this.calls = calls;
        this.fenced = fenced;
    }

    /** Returns {@code bucket}'s protection, probing it first if unknown; completes on {@code loop}. Call on {@code loop}. */
    Future<StorageProtection> of(EventLoop loop, String bucket) {
        StorageProtection cached = known.getIfPresent(bucket);
        if (cached != null) {
            return loop.newSucceededFuture(cached);
        }
        Promise<StorageProtection> result = loop.newPromise();
        CompletableFuture<StorageProtection> mine = new CompletableFuture<>();
        CompletableFuture<StorageProtection> running = probing.putIfAbsent(bucket, mine);
        if (running == null) {
            running = mine;
            probe(loop, bucket).addListener((Future<StorageProtection> f) -> {
                probing.remove(bucket, mine);
                mine.complete(f.isSuccess() ? f.getNow() : StorageProtection.UNKNOWN);
            });
        }
        running.thenAccept(p -> loop.execute(() -> result.trySuccess(p)));
        return result;
    }

    /** Returns what is known per bucket now, by bucket name. */
    Map<String, StorageProtection> snapshot() {
        return new TreeMap<>(known.asMap());
    }

    private Future<StorageProtection> probe(EventLoop loop, String bucket) {
        Promise<StorageProtection> result = loop.newPromise();
        String key = PROBE_PREFIX + UUID.randomUUID();
        put(loop, bucket, key, new DefaultHttpHeaders().set("If-Match", PROBE_ETAG)).addListener((Future<Answer> f) -> {
            if (!f.isSuccess() || !saysSomethingAboutConditions(f.getNow())) {
                LOG.warn("bucket {}: could not learn which conditions the upstream enforces ({}); probing again later",
                        bucket, f.isSuccess() ? "status " + f.getNow().status() + " " + f.getNow().errorCode() : f.cause());
                result.trySuccess(StorageProtection.UNKNOWN);
                return;
            }
            if (refused(f.getNow())) {
                raceProbe(loop, bucket, key + "-race").addListener((Future<StorageProtection.Writes> w) ->
                        deletes(loop, bucket, key, w.isSuccess() ? w.getNow() : StorageProtection.Writes.AT_REQUEST, result));
            } else {
                delete(loop, bucket, key, new DefaultHttpHeaders()).addListener(d ->
                        deletes(loop, bucket, key, StorageProtection.Writes.NONE, result));
            }
        });
        return result;
    }

    /**
     * Whether an {@code If-Match} PUT is refused when another writer replaces the object after the
     * upstream has all of the conditional request but its last byte: the case of a holder paused
     * just before its commit point.
     */
    private Future<StorageProtection.Writes> raceProbe(EventLoop loop, String bucket, String key) {
        Promise<StorageProtection.Writes> result = loop.newPromise();
        put(loop, bucket, key, new DefaultHttpHeaders()).addListener((Future<Answer> base) -> {
            String etag = base.isSuccess() ? base.getNow().headers().get("ETag") : null;
            if (etag == null) {
                result.trySuccess(StorageProtection.Writes.AT_REQUEST);
                return;
            }
            HttpHeaders headers = new DefaultHttpHeaders().set("If-Match", etag).set("Expect", "100-continue");
            UpstreamRequest conditional = new UpstreamRequest("PUT", bucket, key, List.of(), headers,
                    new BodyPlan(BodyPlan.Kind.UNSIGNED, 2, null));
            calls.sendWithPause(loop, conditional, Unpooled.wrappedBuffer(new byte[] {'o', 'k'}),
                    () -> put(loop, bucket, key, new DefaultHttpHeaders()), CONTINUE_WAIT, RACE_PAUSE)
                    .addListener((Future<Answer> f) -> {
                        StorageProtection.Writes writes = f.isSuccess() && refused(f.getNow())
                                ? StorageProtection.Writes.ATOMIC : StorageProtection.Writes.AT_REQUEST;
                        delete(loop, bucket, key, new DefaultHttpHeaders()).addListener(d -> result.trySuccess(writes));
                    });
        });
        return result;
    }

    private void deletes(EventLoop loop, String bucket, String key, StorageProtection.Writes writes,
                         Promise<StorageProtection> result) {
        delete(loop, bucket, key + "-delete", new DefaultHttpHeaders().set("If-Match", PROBE_ETAG))
                .addListener((Future<Answer> f) -> {
                    StorageProtection.Deletes deletes;
                    if (!f.isSuccess()) {
                        deletes = StorageProtection.Deletes.REJECTED;
                    } else if (refused(f.getNow())) {
                        deletes = StorageProtection.Deletes.ENFORCED;
                    } else if (f.getNow().status() / 100 == 2) {
                        deletes = StorageProtection.Deletes.IGNORED;
                    } else {
                        deletes = StorageProtection.Deletes.REJECTED;
                    }
                    StorageProtection learned = new StorageProtection(writes, deletes);
                    known.put(bucket, learned);
                    log(bucket, learned);
                    result.trySuccess(learned);
                });
    }

    private void log(String bucket, StorageProtection learned) {
        String found = "bucket " + bucket + ": the upstream's conditional writes are " + learned.writes().description()
                + ", conditional deletes " + learned.deletes().description();
        if (!fenced || learned.writes() == StorageProtection.Writes.ATOMIC) {
            LOG.info(found);
        } else if (learned.writes() == StorageProtection.Writes.AT_REQUEST) {
            LOG.warn("{}: lock.mode fenced adds its conditions, but a holder paused after its request head reached"
                    + " the upstream is stopped only by the commit-point check and the settle period", found);
        } else {
            LOG.error("{}: lock.mode fenced cannot fence writes to this bucket; they are serialized by the lock only",
                    found);
        }
    }

    /** A probe's condition was refused: 412, 409 ConditionalRequestConflict, or 404 for the missing key. */
    private static boolean refused(Answer answer) {
        return answer.status() == 412 || answer.status() == 409
                || answer.status() == 404 && !"NoSuchBucket".equals(answer.errorCode());
    }

    private static boolean saysSomethingAboutConditions(Answer answer) {
        return answer.status() / 100 == 2 || refused(answer);
    }

    private Future<Answer> put(EventLoop loop, String bucket, String key, HttpHeaders headers) {
        return calls.send(loop, new UpstreamRequest("PUT", bucket, key, List.of(), headers,
                new BodyPlan(BodyPlan.Kind.UNSIGNED, 0, null)));
    }

    private Future<Answer> delete(EventLoop loop, String bucket, String key, HttpHeaders headers) {
        return calls.send(loop, new UpstreamRequest("DELETE", bucket, key, List.of(), headers, BodyPlan.NONE));
    }
}
