package io.s3lockproxy.lock;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The wait for one Redis lease: register for release messages, try SET NX, and on failure sleep
 * until a release message arrives or the holder's PTTL runs out, until the deadline.
 *
 * <p>Attempts are serialized by a signal counter: a wake-up that arrives while an attempt is in
 * flight causes exactly one more attempt after it, so no wake-up is lost and no two attempts of
 * one acquisition overlap. Attempts run on the Redis executor; the timers only signal.
 */
final class LeaseAcquisition {

    /** Poll interval while the release subscription is down and wake-ups may be missed. */
    private static final long UNSUBSCRIBED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final RedisLease redis;
    private final LockKey key;
    private final String owner;
    private final long startNanos;
    private final long deadlineNanos;
    private final CompletableFuture<Lease> future = new CompletableFuture<>();
    private final AtomicInteger signals = new AtomicInteger();
    private int attempts;
    private volatile Runnable unregister = () -> { };
    private volatile Runnable cancelPoll = () -> { };

    LeaseAcquisition(RedisLease redis, LockKey key, String owner, long startNanos, long deadlineNanos) {
        this.redis = redis;
        this.key = key;
        this.owner = owner;
        this.startNanos = startNanos;
        this.deadlineNanos = deadlineNanos;
    }

    /** Starts waiting; returns the future of the lease. */
    CompletableFuture<Lease> start() {
        // Register before the first SET NX: a release published after this point wakes us.
        unregister = redis.subscriber().register(RedisScripts.channel(key), this::signal);
        signal();
        return future;
    }

    private void signal() {
        if (signals.getAndIncrement() == 0) {
            try {
                redis.io().execute(this::drain);
            } catch (RuntimeException rejected) {
                finish(null, new LockUnavailableException(key, rejected));
            }
        }
    }

    private void drain() {
        int seen;
        do {
            seen = signals.get();
            if (!future.isDone()) {
                attemptOnce();
            }
        } while (signals.addAndGet(-seen) != 0);
    }

    private void attemptOnce() {
        long now = redis.ticker().nanos();
        if (now - deadlineNanos >= 0) {
            finish(null, new LockTimeoutException(key, Duration.ofNanos(now - startNanos)));
            return;
        }
        List<?> reply;
        try {
            attempts++;
            reply = redis.tryAcquire(key, owner);
        } catch (JedisException e) {
            finish(null, new LockUnavailableException(key, e));
            // The SET may have happened with its reply lost: free it if it is ours.
            redis.releaseQuietly(key, owner);
            return;
        }
        long value = (Long) reply.get(1);
        if ((Long) reply.get(0) == 1L) {
            Lease lease = redis.held(key, owner, value, (Long) reply.get(6), attempts, redis.predecessorInDoubt(key, reply),
                    now);
            if (!finish(lease, null)) {
                redis.release(lease);
            }
            return;
        }
        schedulePoll(value, now);
    }

    private void schedulePoll(long holderPttlMillis, long now) {
        long delay = holderPttlMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(holderPttlMillis) : MIN_POLL_NANOS;
        if (!redis.subscriber().listening()) {
            delay = Math.min(delay, UNSUBSCRIBED_POLL_NANOS);
        }
        delay = Math.max(MIN_POLL_NANOS, Math.min(delay, deadlineNanos - now));
        cancelPoll.run();
        cancelPoll = redis.timer().schedule(this::signal, delay);
    }

    private boolean finish(Lease lease, Throwable failure) {
        unregister.run();
        cancelPoll.run();
        return failure == null ? future.complete(lease) : future.completeExceptionally(failure);
    }
}
