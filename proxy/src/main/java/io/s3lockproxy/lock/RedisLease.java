package io.s3lockproxy.lock;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Level 2: leases on keys in the shared Redis, with renewal, release and loss detection.
 *
 * <p>Every Redis command runs on the {@code io} executor (blocking Jedis calls never run on the
 * caller's thread); {@code scheduler} only fires timers that hand work to {@code io}. A held lease
 * is renewed (compare-and-PEXPIRE) every lease/3. The holder's own deadline is the monotonic time
 * at which its last successful acquire or renew command was <em>sent</em>, plus the lease, minus a
 * safety margin: Redis started the TTL later than that, so the holder gives up first. When a
 * renewal finds the lease gone, or the deadline passes without a successful renewal, the lease is
 * declared lost.
 */
final class RedisLease {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLease.class);

    private final UnifiedJedis client;
    private final ReleaseSubscriber subscriber;
    private final ExecutorService io;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    private final long leaseMillis;
    private final long safeNanos;
    private final String fenceTtlMillis;
    private volatile boolean renewalsPaused;

    RedisLease(UnifiedJedis client, ReleaseSubscriber subscriber, ExecutorService io,
               ScheduledExecutorService scheduler, Ticker ticker, Duration lease) {
        if (lease.toMillis() < 3) {
            throw new IllegalArgumentException("lease must be at least 3 ms: " + lease);
        }
        this.client = client;
        this.subscriber = subscriber;
        this.io = io;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.leaseMillis = lease.toMillis();
        this.safeNanos = lease.toNanos() - lease.toNanos() / 10;
        this.fenceTtlMillis = Long.toString(Math.max(Duration.ofHours(1).toMillis(), 2 * leaseMillis));
    }

    /**
     * Returns a future of the lease on {@code key} for {@code owner}, failing with
     * {@link LockTimeoutException} at {@code deadlineNanos} or {@link LockUnavailableException}
     * when Redis cannot be reached. Completes on the io executor.
     */
    CompletableFuture<Lease> acquire(LockKey key, String owner, long deadlineNanos) {
        return new LeaseAcquisition(this, key, owner, ticker.nanos(), deadlineNanos).start();
    }

    /**
     * Releases {@code lease} (compare-and-delete, then a release message); returns a future of
     * whether it was still ours, completed on the io executor. Never fails: an unreachable Redis
     * lets the lease expire on its own.
     */
    CompletableFuture<Boolean> release(Lease lease) {
        if (!lease.markReleased()) {
            throw new IllegalStateException("lease on " + lease.key + " already released");
        }
        return CompletableFuture.supplyAsync(() -> releaseNow(lease.key, lease.owner), io)
                .exceptionally(e -> false);
    }

    /** Returns null when Redis answers PING, else what went wrong; blocks for up to the Redis timeout. */
    String pingProblem() {
        try {
            String pong = client.ping();
            return "PONG".equalsIgnoreCase(pong) ? null : "Redis answered PING with " + pong;
        } catch (JedisException e) {
            return "Redis does not answer: " + e.getMessage();
        }
    }

    /** Runs a compare-and-delete for a lease whose acquire reply may have been lost. */
    void releaseQuietly(LockKey key, String owner) {
        try {
            io.execute(() -> releaseNow(key, owner));
        } catch (RuntimeException rejected) {
            LOG.debug("no cleanup of {}: {}", key, rejected.toString());
        }
    }

    private boolean releaseNow(LockKey key, String owner) {
        try {
            Object deleted = client.eval(RedisScripts.RELEASE, List.of(RedisScripts.lockKey(key)),
                    List.of(owner, RedisScripts.channel(key)));
            return Long.valueOf(1).equals(deleted);
        } catch (JedisException e) {
            LOG.debug("release of {} failed, it will expire: {}", key, e.toString());
            return false;
        }
    }

    /** Runs the acquire script on the calling (io) thread; returns {1, token} or {0, holder pttl}. */
    List<?> tryAcquire(LockKey key, String owner) {
        return (List<?>) client.eval(RedisScripts.ACQUIRE,
                List.of(RedisScripts.lockKey(key), RedisScripts.fenceKey(key)),
                List.of(owner, Long.toString(leaseMillis), fenceTtlMillis));
    }

    /** Returns a new held lease whose acquire command was sent at {@code sentNanos}, with renewals started. */
    Lease held(LockKey key, String owner, long fencingToken, int attempts, long sentNanos) {
        Lease lease = new Lease(key, owner, fencingToken, attempts, sentNanos + safeNanos);
        long period = Math.max(1, leaseMillis / 3);
        lease.renewals(scheduler.scheduleWithFixedDelay(() -> renewSoon(lease), period, period, TimeUnit.MILLISECONDS));
        watch(lease);
        return lease;
    }

    private void renewSoon(Lease lease) {
        if (renewalsPaused || lease.isReleased() || lease.isLost()) {
            return;
        }
        try {
            io.execute(() -> renew(lease));
        } catch (RuntimeException rejected) {
            LOG.debug("renewal of {} not scheduled: {}", lease.key, rejected.toString());
        }
    }

    private void renew(Lease lease) {
        long sent = ticker.nanos();
        try {
            Object ok = client.eval(RedisScripts.RENEW, List.of(RedisScripts.lockKey(lease.key)),
                    List.of(lease.owner, Long.toString(leaseMillis)));
            if (Long.valueOf(1).equals(ok)) {
                lease.extendTo(sent + safeNanos);
            } else if (lease.markLost()) {
                LOG.warn("lease on {} was lost: the key expired or changed owner", lease.key);
            }
        } catch (JedisException e) {
            // Not lost yet: the watchdog declares it lost at the deadline unless a later renewal succeeds.
            LOG.debug("renewal of {} failed: {}", lease.key, e.toString());
        }
    }

    /** Declares the lease lost when its deadline passes; re-arms itself while renewals move it. */
    private void watch(Lease lease) {
        if (lease.isReleased() || lease.isLost()) {
            return;
        }
        long remaining = lease.deadlineNanos() - ticker.nanos();
        if (remaining <= 0) {
            if (lease.markLost()) {
                LOG.warn("lease on {} passed its deadline without a successful renewal", lease.key);
            }
            return;
        }
        try {
            scheduler.schedule(() -> watch(lease), remaining, TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            LOG.debug("watchdog for {} not scheduled: {}", lease.key, rejected.toString());
        }
    }

    /** Test hook: stops (or resumes) renewals, as if this holder were paused. */
    void pauseRenewals(boolean paused) {
        this.renewalsPaused = paused;
    }

    ReleaseSubscriber subscriber() {
        return subscriber;
    }

    ExecutorService io() {
        return io;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Ticker ticker() {
        return ticker;
    }
}
