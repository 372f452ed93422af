package io.s3lockproxy.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.LockConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds lock engines for tests and closes them afterwards. */
final class LockFixtures implements AutoCloseable {

    static final Duration SETTLE = Duration.ofMillis(100);

    private final List<TwoLevelLockService> locks = new ArrayList<>();

    TwoLevelLockService lock(URI redis, Duration lease, Duration wait) {
        return lock(redis, lease, wait, LockConfig.OnRedisDown.FAIL, new LockMetrics());
    }

    /** An engine on real time, whose settle period is short ({@link #SETTLE}) so that take-overs stay quick. */
    TwoLevelLockService lock(URI redis, Duration lease, Duration wait, LockConfig.OnRedisDown onRedisDown, LockMetrics metrics) {
        TwoLevelLockService lock = LockServices.create(new LockConfig(redis, lease, wait, LockConfig.Mode.SERIALIZE,
                onRedisDown, LockConfig.defaultCommitMargin(lease), SETTLE), metrics, Ticker.system(), null);
        locks.add(lock);
        return lock;
    }

    /** An engine on {@code time}'s hand-moved clock: leases, renewals, deadlines and settle periods move only with it. */
    TwoLevelLockService lock(LockConfig config, ManualTime time) {
        TwoLevelLockService lock = LockServices.create(config, new LockMetrics(), time, time);
        locks.add(lock);
        return lock;
    }

    static HeldKeys acquire(LockService lock, LockKey... keys) throws Exception {
        return lock.acquire(List.of(keys), "test").get(30, TimeUnit.SECONDS);
    }

    /** Polls {@code condition} every 10 ms for at most {@code timeout}; returns whether it held. */
    static boolean eventually(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    /**
     * Returns a worker that takes {@code keys} from {@code lock} {@code times} times, each time
     * counting in {@code violations} every key another holder held at the same moment.
     */
    static java.util.concurrent.Callable<Void> holdRepeatedly(LockService lock, List<LockKey> keys, int times,
            java.util.Map<LockKey, java.util.concurrent.atomic.AtomicInteger> inFlight,
            java.util.concurrent.atomic.AtomicInteger violations) {
        return () -> {
            for (int i = 0; i < times; i++) {
                HeldKeys handle = lock.acquire(keys, "multi").get(30, TimeUnit.SECONDS);
                keys.forEach(k -> {
                    if (inFlight.get(k).incrementAndGet() > 1) {
                        violations.incrementAndGet();
                    }
                });
                keys.forEach(k -> inFlight.get(k).decrementAndGet());
                handle.release();
            }
            return null;
        };
    }

    static void assertIdle(TwoLevelLockService lock) throws InterruptedException {
        assertThat(eventually(Duration.ofSeconds(5), () -> lock.local().activeKeys() == 0
                && (lock.redis() == null || lock.redis().subscriber().registeredChannels() == 0)))
                .as("no local queues or release registrations left").isTrue();
    }

    @Override
    public void close() {
        locks.forEach(TwoLevelLockService::close);
    }
}
