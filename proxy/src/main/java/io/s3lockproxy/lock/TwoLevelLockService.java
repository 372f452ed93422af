package io.s3lockproxy.lock;

import io.s3lockproxy.config.LockConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link LockService}: for each key in sorted order the local FIFO lock, then (when Redis is
 * configured) the Redis lease; all or nothing; one wait deadline for the whole request.
 *
 * <p>Build it with {@link LockServices#create}. See {@link LockService} for the threads that complete
 * the futures.
 */
final class TwoLevelLockService implements LockService {

    private static final Logger LOG = LoggerFactory.getLogger(TwoLevelLockService.class);

    private final LocalKeyQueues local;
    private final RedisLease redis;
    private final boolean degradeWhenRedisDown;
    private final long waitNanos;
    private final long commitMarginNanos;
    private final long settleNanos;
    private final LocalTokenCounter tokenCounter;
    private final LockMetrics metrics;
    private final Ticker ticker;
    private final LockTimer timer;
    private final Runnable onClose;
    /** Handles acquired and not yet released; for {@link #held()} and for releasing on close. */
    private final Set<Grant> live = ConcurrentHashMap.newKeySet();
    private final String instanceId = InstanceId.get();
    /** Drawn once: a SecureRandom draw per acquisition cost about 1 % of a small PUT's CPU. */
    private final String ownerPrefix = UUID.randomUUID() + ".";
    private final AtomicLong ownerSequence = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    TwoLevelLockService(LocalKeyQueues local, RedisLease redis, LockConfig config, LocalTokenCounter tokenCounter,
                        LockMetrics metrics, Ticker ticker, LockTimer timer, Runnable onClose) {
        this.local = local;
        this.redis = redis;
        this.degradeWhenRedisDown = config.onRedisDown() == LockConfig.OnRedisDown.CONDITIONAL;
        this.waitNanos = config.maxWait().toNanos();
        this.commitMarginNanos = config.commitMargin().toNanos();
        this.settleNanos = config.settle().toNanos();
        this.tokenCounter = tokenCounter;
        this.metrics = metrics;
        this.ticker = ticker;
        this.timer = timer;
        this.onClose = onClose;
    }

    @Override
    public CompletableFuture<HeldKeys> acquire(List<LockKey> keys, String requestId) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no keys to lock");
        }
        List<LockKey> sorted = keys.size() == 1 ? keys : new ArrayList<>(new TreeSet<>(keys));
        // The owner is this request, never a thread: one event loop serves many requests. Unique
        // across instances by the random prefix, within this one by the sequence.
        String owner = ownerPrefix + Long.toHexString(ownerSequence.incrementAndGet()) + ":" + requestId;
        long start = ticker.nanos();
        return new MultiKeyAcquisition(this, sorted, owner, start, start + waitNanos).start();
    }

    /** Releases leases first (so the next local holder finds Redis free), then the local locks. */
    void releaseAll(List<LocalKeyQueues.Permit> permits, List<Lease> leases) {
        CompletableFuture<?>[] redisReleases = new CompletableFuture<?>[leases.size()];
        for (int i = 0; i < redisReleases.length; i++) {
            redisReleases[i] = redis.release(leases.get(i));
        }
        CompletableFuture.allOf(redisReleases).whenComplete((ok, e) -> releaseLocal(permits));
    }

    /** Gives back local locks only (their leases are handled by the caller). */
    void releaseLocal(List<LocalKeyQueues.Permit> permits) {
        for (int i = permits.size() - 1; i >= 0; i--) {
            local.release(permits.get(i));
        }
    }

    void track(Grant handle) {
        live.add(handle);
    }

    void untrack(Grant handle) {
        live.remove(handle);
    }

    @Override
    public List<LockSnapshot> held() {
        long now = ticker.nanos();
        List<LockSnapshot> out = new ArrayList<>();
        for (Grant handle : live) {
            handle.describe(instanceId, now, out);
        }
        out.sort(Comparator.comparing(LockSnapshot::bucket).thenComparing(LockSnapshot::key));
        return out;
    }

    @Override
    public String redisProblem() {
        return redis == null ? null : redis.pingProblem();
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    LocalKeyQueues local() {
        return local;
    }

    /** Returns the Redis level, or null when running with local locks only. */
    RedisLease redis() {
        return redis;
    }

    boolean degradeWhenRedisDown() {
        return degradeWhenRedisDown;
    }

    LocalTokenCounter tokenCounter() {
        return tokenCounter;
    }

    LockMetrics metrics() {
        return metrics;
    }

    Ticker ticker() {
        return ticker;
    }

    LockTimer timer() {
        return timer;
    }

    long commitMarginNanos() {
        return commitMarginNanos;
    }

    long settleNanos() {
        return settleNanos;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Handles whose requests never got to release them (shutdown): give back their leases now
        // rather than let them expire (the io executor finishes these releases before it stops) —
        // except where a write may still land: those expire, and the next writers settle first.
        int inDoubt = 0;
        for (Grant handle : live) {
            if (handle.leaveToExpireIfInDoubt()) {
                inDoubt++;
            } else {
                handle.releaseNow();
            }
        }
        if (inDoubt > 0) {
            LOG.warn("shutdown: {} write(s) in doubt at the upstream; their leases are left to expire, so the next"
                    + " writers of their keys wait the settle period first", inDoubt);
        }
        onClose.run();
    }

    /** Stops background work without releasing anything, as if the process died (tests: crash recovery). */
    void abandon() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }
}
