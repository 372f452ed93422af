package io.s3lockproxy.lock;

import static io.s3lockproxy.lock.LockFixtures.acquire;
import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.LockConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Redis going away and coming back, in fail and conditional mode. */
@Timeout(60)
class RedisOutageTest {

    private RedisServerProcess redis;
    private final LockFixtures fixtures = new LockFixtures();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServerProcess.start();
    }

    @AfterEach
    void stop() throws Exception {
        fixtures.close();
        redis.close();
    }

    @Test
    void redisKilledFailsFastWithUnavailableAndRecoversAfterRestartWithoutRestartingTheLock() throws Exception {
        LockKey key = new LockKey("b", "outage");
        LockMetrics metrics = new LockMetrics();
        TwoLevelLockService lock = fixtures.lock(redis.uri(), Duration.ofSeconds(5), Duration.ofSeconds(10),
                LockConfig.OnRedisDown.FAIL, metrics);
        acquire(lock, key).release();

        redis.kill();
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            CompletableFuture<HeldKeys> attempt = lock.acquire(List.of(key), "down-" + i);
            assertThat(attempt).failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(LockUnavailableException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("fails fast, not after the 10 s wait").isLessThan(2500);
        }
        assertThat(metrics.redisUnavailableCount()).isEqualTo(3);
        assertThat(lock.local().activeKeys()).isZero();

        redis.restart();
        HeldKeys again = lock.acquire(List.of(key), "up").get(5, TimeUnit.SECONDS);
        assertThat(again.distributed()).isTrue();
        again.release();
        // The release subscriber reconnected too: a waiter is woken by a release, not by the 5 s lease.
        TwoLevelLockService other = fixtures.lock(redis.uri(), Duration.ofSeconds(5), Duration.ofSeconds(10));
        assertThat(LockFixtures.eventually(Duration.ofSeconds(5), () -> other.redis().subscriber().listening()
                && lock.redis().subscriber().listening())).isTrue();
        HeldKeys held = acquire(other, key);
        CompletableFuture<HeldKeys> waiting = lock.acquire(List.of(key), "waiter");
        Thread.sleep(200);
        long released = System.nanoTime();
        held.release();
        waiting.get(5, TimeUnit.SECONDS).release();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released)).isLessThan(1000);
    }

    @Test
    void aWaiterFailsFastWhenRedisDiesWhileItWaits() throws Exception {
        LockKey key = new LockKey("b", "waiter-outage");
        TwoLevelLockService holder = fixtures.lock(redis.uri(), Duration.ofSeconds(30), Duration.ofSeconds(20));
        TwoLevelLockService waiter = fixtures.lock(redis.uri(), Duration.ofSeconds(30), Duration.ofSeconds(20));
        assertThat(LockFixtures.eventually(Duration.ofSeconds(5), () -> waiter.redis().subscriber().listening())).isTrue();
        HeldKeys held = acquire(holder, key);
        CompletableFuture<HeldKeys> waiting = waiter.acquire(List.of(key), "waiter");
        Thread.sleep(200); // now asleep on the holder's 30 s PTTL
        long killed = System.nanoTime();
        redis.kill();
        assertThat(waiting).failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(LockUnavailableException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)).isLessThan(2500);
        held.release();
    }

    @Test
    void aHolderWhoseRedisDiesLosesItsLeaseAtItsDeadline() throws Exception {
        LockKey key = new LockKey("b", "holder-outage");
        TwoLevelLockService lock = fixtures.lock(redis.uri(), Duration.ofMillis(600), Duration.ofSeconds(10));
        HeldKeys handle = acquire(lock, key);
        redis.kill();
        assertThat(LockFixtures.eventually(Duration.ofSeconds(5), handle::isLost)).isTrue();
        handle.release();
    }

    @Test
    void conditionalModeProceedsWithLocalLocksOnlyAndSaysSo() throws Exception {
        LockKey key = new LockKey("b", "conditional");
        LockMetrics metrics = new LockMetrics();
        TwoLevelLockService lock = fixtures.lock(redis.uri(), Duration.ofSeconds(5), Duration.ofSeconds(10),
                LockConfig.OnRedisDown.CONDITIONAL, metrics);
        HeldKeys up = acquire(lock, key);
        assertThat(up.distributed()).isTrue();
        up.release();

        redis.kill();
        HeldKeys down = acquire(lock, key);
        assertThat(down.distributed()).isFalse();
        // Still exclusive inside this instance.
        CompletableFuture<HeldKeys> second = lock.acquire(List.of(key), "second");
        Thread.sleep(100);
        assertThat(second).isNotDone();
        down.release();
        second.get(5, TimeUnit.SECONDS).release();
        assertThat(metrics.degradedToLocalCount()).isEqualTo(2);
    }
}
