package io.s3lockproxy.lock;

import io.s3lockproxy.config.LockConfig;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.UnifiedJedis;

/** Builds the {@link LockService} a {@link LockConfig} describes, with its threads and Redis client. */
public final class LockServices {

    /** Threads (and pooled connections) for Redis commands and local hand-offs. */
    static final int IO_THREADS = 8;
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofMillis(200);

    private LockServices() {
    }

    /**
     * Returns the lock engine for {@code config}: local locks only when {@code config.redis()} is
     * null, local locks then Redis leases otherwise. Connecting is lazy: an unreachable Redis
     * makes acquisitions fail (or degrade, per {@code onRedisDown}), not this call.
     */
    public static LockService create(LockConfig config, LockMetrics metrics) {
        return create(config, metrics, Ticker.system(), null);
    }

    /**
     * Returns the lock engine for {@code config} on {@code ticker}'s time; {@code timer} is null for
     * a real timer thread, or a timer the caller drives (tests: time moved by hand).
     */
    static TwoLevelLockService create(LockConfig config, LockMetrics metrics, Ticker ticker, LockTimer timer) {
        ScheduledThreadPoolExecutor scheduler = null;
        if (timer == null) {
            scheduler = new ScheduledThreadPoolExecutor(1, daemon("s3lp-lock-timer"));
            scheduler.setRemoveOnCancelPolicy(true);
            timer = LockTimer.of(scheduler);
        }
        ScheduledExecutorService timerThread = scheduler;
        LocalKeyQueues local = new LocalKeyQueues(timer, ticker, config.maxWaitersPerKey());
        LocalTokenCounter tokens = LocalTokenCounter.systemClock();
        if (config.redis() == null) {
            return new TwoLevelLockService(local, null, config, tokens, metrics, ticker, timer,
                    () -> shutdown(timerThread, null));
        }
        ExecutorService io = Executors.newFixedThreadPool(IO_THREADS, daemon("s3lp-lock-"));
        // One connection per io thread, one for the release subscriber.
        UnifiedJedis client = RedisClients.connect(config.redis(), IO_THREADS + 1, REDIS_TIMEOUT);
        ReleaseSubscriber subscriber = new ReleaseSubscriber(client, RESUBSCRIBE_DELAY).start();
        EpochKeys epochs = RedisClients.isCluster(config.redis()) ? EpochKeys.perSlot() : EpochKeys.single();
        RedisLease redis = new RedisLease(client, epochs, subscriber, io, timer, ticker, config.lease(), config.settle());
        return new TwoLevelLockService(local, redis, config, tokens, metrics, ticker, timer, () -> {
            subscriber.close();
            shutdown(timerThread, io);
            client.close();
        });
    }

    /** Stops the timers and lets queued Redis commands (releases) finish for up to the Redis timeout. */
    private static void shutdown(ScheduledExecutorService scheduler, ExecutorService io) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (io == null) {
            return;
        }
        io.shutdown();
        try {
            io.awaitTermination(REDIS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }
}
