package io.s3lockproxy.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.s3lockproxy.server.StorageProtection.Writes;
import io.s3lockproxy.upstream.UpstreamCall;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once per bucket, which conditions its upstream enforces ({@link StorageProtection}),
 * by probing ({@link StorageProbe}) with objects under {@value #PROBE_PREFIX} that it removes again:
 * <ol>
 *   <li>a PUT with {@code If-Match} on a missing key must be refused (412, or 404 NoSuchKey);</li>
 *   <li>a PUT with {@code If-Match} holding the object's own ETag must be accepted: quoted, or else
 *       bare (radosgw 16 matches only that; the fence then sends bare ETags), or conditions are not
 *       counted as enforced at all — a fence on them would refuse every overwrite;</li>
 *   <li>a PUT with {@code If-Match} whose last byte is held back until another PUT has replaced the
 *       object must be refused too (412, or 409 ConditionalRequestConflict) to count as atomic: an
 *       upstream that checks conditions when it starts on a request (S3Proxy 4.1) lets it through;</li>
 *   <li>where PutObject's conditions hold, a CopyObject and a CompleteMultipartUpload with
 *       {@code If-Match} onto a missing key must be refused too (412, 409, 404 NoSuchKey) for
 *       copies and completions to count as fenced: S3Proxy 4.1 copies regardless, radosgw 16 copies
 *       and completes regardless;</li>
 *   <li>a DELETE with {@code If-Match} on a missing key tells whether conditional deletes are
 *       enforced (412 / 404), ignored (2xx) or refused outright.</li>
 * </ol>
 * What was learned is kept for at most {@value #MAX_BUCKETS} buckets and forgotten when a request
 * may have changed the bucket (its versioning, say). After an hour the next write of the bucket
 * probes it again in the background and goes on with what is known meanwhile; only a bucket not
 * probed successfully for two hours makes its writes wait for a probe again. Answers that say
 * nothing about conditions (a missing bucket, an access error, an outage) leave the bucket unknown
 * — its writes are not fenced — and it is probed again in the background a minute later, so that
 * an identity that may not write the probe's objects costs neither a probe nor a warning per write.
 * A bucket where object lock retained versions the probe made is not probed again, and not
 * forgotten, until a request through the proxy may have changed it ({@link #keepVersions}).
 */
final class StorageProtections {
    private static final Logger LOG = LoggerFactory.getLogger(StorageProtections.class);
    static final String PROBE_PREFIX = ".s3-lock-proxy/probe-";
    private static final int MAX_BUCKETS = 10_000;

    private static final Duration REPROBE_AFTER = Duration.ofHours(1);
    private static final Duration FORGET_AFTER = Duration.ofHours(2);
    private static final Duration REPROBE_UNKNOWN_AFTER = Duration.ofMinutes(1);
    private static final Duration LASTING = Duration.ofNanos(Long.MAX_VALUE);

    private final UpstreamCall calls;
    private final boolean fenced;
    private final Ticker ticker;
    private final Cache<String, Learned> known;
    /** Buckets probed again in the background in the last minute: a failing probe is not retried by every write. */
    private final Cache<String, Boolean> reprobed;
    /** The probe running per bucket; removed, under the map's lock for the bucket, when it ends or is overtaken. */
    private final ConcurrentHashMap<String, CompletableFuture<Probed>> probing = new ConcurrentHashMap<>();

    /** {@code fenced}: whether the proxy relies on what is found (lock.mode fenced); it says so in the log. */
    StorageProtections(UpstreamCall calls, boolean fenced) {
        this(calls, fenced, Ticker.systemTicker());
    }

    /** As above, on {@code ticker}'s time. */
    StorageProtections(UpstreamCall calls, boolean fenced, Ticker ticker) {
        this.calls = calls;
        this.fenced = fenced;
        this.ticker = ticker;
        // Upkeep (expiry, eviction) runs on the caller's thread, an event loop: Caffeine's default
        // would hand it to a ForkJoinPool thread, woken by every write's lookup.
        this.known = Caffeine.newBuilder().maximumSize(MAX_BUCKETS).ticker(ticker).executor(Runnable::run)
                .expireAfter(Expiry.writing((String bucket, Learned learned) -> learned.lasts() ? LASTING : FORGET_AFTER))
                .build();
        this.reprobed = Caffeine.newBuilder().maximumSize(MAX_BUCKETS).expireAfterWrite(REPROBE_UNKNOWN_AFTER)
                .ticker(ticker).executor(Runnable::run).build();
    }

    /** Returns {@code bucket}'s protection, probing it first if unknown; completes on {@code loop}. Call on {@code loop}. */
    Future<StorageProtection> of(EventLoop loop, String bucket) {
        return of(loop, bucket, true);
    }

    /**
     * {@code askAgain}: whether a caller whose probe was overtaken by a change of the bucket
     * ({@link #forget}) waits for a probe begun after the change; once is enough, so that a bucket
     * changed over and over cannot keep a write waiting.
     */
    private Future<StorageProtection> of(EventLoop loop, String bucket, boolean askAgain) {
        Learned cached = known.getIfPresent(bucket);
        if (cached != null) {
            Duration reprobe = cached.protection() == StorageProtection.UNKNOWN ? REPROBE_UNKNOWN_AFTER : REPROBE_AFTER;
            if (!cached.lasts() && ticker.read() - cached.atNanos() >= reprobe.toNanos()
                    && reprobed.asMap().putIfAbsent(bucket, Boolean.TRUE) == null) {
                probe(loop, bucket);
            }
            return loop.newSucceededFuture(cached.protection());
        }
        Promise<StorageProtection> result = loop.newPromise();
        probe(loop, bucket).thenAccept(p -> loop.execute(() -> {
            if (p.overtaken() && askAgain) {
                of(loop, bucket, false).addListener((Future<StorageProtection> again) -> result.trySuccess(again.getNow()));
            } else {
                result.trySuccess(p.protection());
            }
        }));
        return result;
    }

    /** Returns the probe of {@code bucket} under way, starting one on {@code loop} if none is. */
    private CompletableFuture<Probed> probe(EventLoop loop, String bucket) {
        CompletableFuture<Probed> mine = new CompletableFuture<>();
        CompletableFuture<Probed> running = probing.putIfAbsent(bucket, mine);
        if (running != null) {
            return running;
        }
        StorageProbe.run(calls, loop, bucket, retained -> mine.thenAccept(p -> keepVersions(bucket, p.stored(), retained > 0)))
                .addListener((Future<StorageProtection> f) ->
                        mine.complete(settle(bucket, mine, f.isSuccess() ? f.getNow() : StorageProtection.UNKNOWN)));
        return mine;
    }

    /**
     * Ends the probe {@code mine} of {@code bucket}: what it found is kept unless the bucket was
     * forgotten while it ran — its answers may then describe the bucket before the change.
     */
    private Probed settle(String bucket, CompletableFuture<Probed> mine, StorageProtection found) {
        boolean[] current = new boolean[1];
        Learned[] stored = new Learned[1];
        probing.computeIfPresent(bucket, (b, running) -> {
            if (running != mine) {
                return running;
            }
            current[0] = true;
            Learned was = known.getIfPresent(bucket);
            if (found != StorageProtection.UNKNOWN || was == null || was.protection() == StorageProtection.UNKNOWN) {
                stored[0] = new Learned(found, ticker.read(), false);
                known.put(bucket, stored[0]);
            }
            return null;
        });
        if (current[0] && found != StorageProtection.UNKNOWN) {
            log(bucket, found);
        }
        return new Probed(found, !current[0], stored[0]);
    }

    /**
     * The probe that stored {@code stored} (null: one whose answer was not kept) has removed what it
     * made, and object lock {@code retained} some of its versions. Such a bucket is not probed
     * again in the background, nor forgotten after two hours: every probe would leave versions
     * behind for the length of the bucket's retention, and what the hourly probe is for — versioning
     * changed outside the proxy — cannot happen to it, since a bucket with object lock keeps its
     * versioning enabled. A change through the proxy ({@link #forget}) still makes it probed again.
     */
    private void keepVersions(String bucket, Learned stored, boolean retained) {
        if (stored == null || !retained || stored.protection() == StorageProtection.UNKNOWN) {
            return;
        }
        Learned kept = known.asMap().computeIfPresent(bucket, (b, now) -> now == stored ? stored.lasting() : now);
        if (kept != null && kept.lasts()) {
            LOG.warn("bucket {}: object lock keeps the storage probe's versions, so the bucket is not probed again"
                    + " until a change of its configuration through the proxy or a restart", bucket);
        }
    }

    /** Whether what is known of {@code bucket} is kept without probing it again ({@link #keepVersions}). */
    boolean keptWithoutProbing(String bucket) {
        Learned learned = known.getIfPresent(bucket);
        return learned != null && learned.lasts();
    }

    /** Returns what is known per bucket now, by bucket name. */
    Map<String, StorageProtection> snapshot() {
        Map<String, StorageProtection> now = new TreeMap<>();
        known.asMap().forEach((bucket, learned) -> {
            if (learned.protection() != StorageProtection.UNKNOWN) {
                now.put(bucket, learned.protection());
            }
        });
        return now;
    }

    /**
     * Forgets what was learned about {@code bucket}: a request through the proxy may change what
     * its upstream enforces (radosgw 16 matches no {@code If-Match} once a bucket keeps versions).
     * A probe of the bucket still running is overtaken: what it finds is not kept.
     */
    void forget(String bucket) {
        probing.compute(bucket, (b, running) -> {
            known.invalidate(b);
            return null;
        });
    }

    /**
     * The upstream refused a condition the proxy added although its own read then showed it held
     * (request {@code requestId}): an {@code If-Match} on the very ETag the object still shows, or
     * an {@code If-None-Match: *} on a key that is still missing. Either its conditions disagree
     * with its reads — radosgw 16 matches no {@code If-Match} in a bucket that keeps versions, and
     * refuses {@code If-None-Match: *} over a delete marker where versioning is suspended — or
     * another writer changed the object and changed it back (created and deleted it) in between.
     * The bucket goes unfenced, its writes serialized by the lock only, and is probed again at once
     * in the background (at most once a minute), so that after another writer's round trip it is
     * fenced again within a probe's time, not an hour; where the disagreement is one the probe does
     * not ask about (the delete marker), the next such refusal within the minute unfences it until
     * the hourly probe. Call on {@code loop}.
     */
    void recheck(EventLoop loop, String bucket, String requestId) {
        if (!unfence(bucket)) {
            return;
        }
        boolean probeNow = reprobed.asMap().putIfAbsent(bucket, Boolean.TRUE) == null;
        LOG.error("bucket {}: the upstream refused request {}'s condition although a read of the object then showed that"
                + " it held: another writer changed the object and back, or its conditions disagree with its reads"
                + " (radosgw 16 with versioning); writes to this bucket are serialized by the lock only, not fenced,"
                + " until it is probed again{}", bucket, requestId, probeNow ? ", which starts now" : "");
        if (probeNow) {
            probe(loop, bucket);
        }
    }

    /** Marks {@code bucket}'s writes unfenced; returns false where they were not fenced anyway. */
    private boolean unfence(String bucket) {
        Learned was = known.getIfPresent(bucket);
        if (was == null || !was.protection().writes().enforced()) {
            return false;
        }
        known.put(bucket, new Learned(was.protection().withoutWriteConditions(), was.atNanos(), false));
        return true;
    }

    private void log(String bucket, StorageProtection learned) {
        String found = "bucket " + bucket + ": the upstream's conditional writes are " + learned.writes().description()
                + " (ETags " + learned.etags().description() + "), conditional copies " + learned.copies().description()
                + ", conditional multipart completions " + learned.completes().description()
                + ", conditional deletes " + learned.deletes().description();
        boolean copiesUnfenced = !learned.copies().enforced() || !learned.completes().enforced();
        if (!fenced || learned.writes() == Writes.ATOMIC && !copiesUnfenced) {
            LOG.info(found);
        } else if (!learned.writes().enforced()) {
            LOG.error("{}: lock.mode fenced cannot fence writes to this bucket; they are serialized by the lock only",
                    found);
        } else {
            LOG.warn("{}: lock.mode fenced adds its conditions{}{}", found,
                    learned.writes() == Writes.AT_REQUEST ? ", but a holder paused after its request head reached the"
                            + " upstream is stopped only by the commit-point check and the settle period" : "",
                    copiesUnfenced ? "; copies or multipart completions the upstream does not check are serialized by"
                            + " the lock only, and refused while Redis is down (onRedisDown: conditional)" : "");
        }
    }

    /**
     * What a probe found, and when (on the ticker); {@code lasts}: kept without probing again, as
     * probing the bucket leaves versions that object lock retains.
     */
    private record Learned(StorageProtection protection, long atNanos, boolean lasts) {
        Learned lasting() {
            return new Learned(protection, atNanos, true);
        }
    }

    /**
     * What a probe found, whether a change of the bucket overtook it while it ran, and what it
     * stored (null where its answer was not kept).
     */
    private record Probed(StorageProtection protection, boolean overtaken, Learned stored) {
    }
}
