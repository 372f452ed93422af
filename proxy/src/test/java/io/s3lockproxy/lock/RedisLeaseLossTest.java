package io.s3lockproxy.lock;

import static io.s3lockproxy.lock.LockFixtures.acquire;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What happens when a held lease stops being ours: pause, premature expiry, data loss, crash. */
@Timeout(60)
class RedisLeaseLossTest {

    private static RedisServerProcess redis;
    private final LockFixtures fixtures = new LockFixtures();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @AfterEach
    void closeLocks() {
        fixtures.close();
    }

    private TwoLevelLockService instance(Duration lease) {
        return fixtures.lock(redis.uri(), lease, Duration.ofSeconds(10));
    }

    @Test
    void aPausedHolderLosesItsLeaseAndTheNextHolderGetsALargerToken() throws Exception {
        LockKey key = new LockKey("b", "paused");
        TwoLevelLockService paused = instance(Duration.ofMillis(400));
        TwoLevelLockService next = instance(Duration.ofSeconds(30));
        CountDownLatch lost = new CountDownLatch(1);
        AtomicInteger lostCalls = new AtomicInteger();
        HeldKeys stale = acquire(paused, key);
        stale.onLost(() -> {
            lostCalls.incrementAndGet();
            lost.countDown();
        });
        paused.redis().pauseRenewals(true);

        HeldKeys fresh = acquire(next, key);

        // The stale holder gives up at its own deadline, before Redis lets anyone else in.
        assertThat(lost.getCount()).isZero();
        assertThat(stale.isLost()).isTrue();
        assertThat(fresh.isLost()).isFalse();
        assertThat(fresh.fencingToken(key)).isGreaterThan(stale.fencingToken(key));
        assertThat(paused.metrics().leasesLost()).isEqualTo(1);
        assertThat(next.metrics().settledBeforeFirstWrite()).as("took over a lease that expired, not released")
                .isEqualTo(1);
        stale.release();
        fresh.release();
        Thread.sleep(50);
        assertThat(lostCalls.get()).isEqualTo(1);
    }

    @Test
    void renewalsKeepALeaseAliveForManyLeaseTimes() throws Exception {
        LockKey key = new LockKey("b", "renewed");
        TwoLevelLockService holder = instance(Duration.ofMillis(300));
        TwoLevelLockService other = fixtures.lock(redis.uri(), Duration.ofMillis(300), Duration.ofMillis(1500));
        HeldKeys handle = acquire(holder, key);
        long start = System.nanoTime();
        var waiting = other.acquire(java.util.List.of(key), "other");
        assertThat(waiting).failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(LockTimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThan(1200);
        assertThat(handle.isLost()).isFalse();
        handle.release();
    }

    @Test
    void flushallWhileHeldIsDetectedAtTheNextRenewalAndTokensStillIncrease() throws Exception {
        LockKey key = new LockKey("b", "flushed");
        TwoLevelLockService holder = instance(Duration.ofMillis(600));
        TwoLevelLockService next = instance(Duration.ofSeconds(30));
        HeldKeys first = acquire(holder, key);
        CountDownLatch lost = new CountDownLatch(1);
        first.onLost(lost::countDown);

        long flushed = System.nanoTime();
        assertThat(redis.command("FLUSHALL")).isEqualTo("+OK");
        // FLUSHALL also wiped fence:{b/flushed}; the token must still go up.
        HeldKeys second = acquire(next, key);

        assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - flushed))
                .as("loss detected by the renewal every lease/3 = 200 ms").isLessThan(1000);
        assertThat(second.fencingToken(key)).isGreaterThan(first.fencingToken(key));
        first.release();
        second.release();
    }

    @Test
    void pexpireWhileHeldIsDetectedAndTheNextAcquirerGetsALargerToken() throws Exception {
        LockKey key = new LockKey("b", "pexpired");
        TwoLevelLockService holder = instance(Duration.ofMillis(600));
        TwoLevelLockService next = instance(Duration.ofSeconds(30));
        HeldKeys first = acquire(holder, key);
        CountDownLatch lost = new CountDownLatch(1);
        first.onLost(lost::countDown);

        assertThat(redis.command("PEXPIRE " + RedisScripts.lockKey(key) + " 1")).isEqualTo(":1");
        assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
        HeldKeys second = acquire(next, key);
        assertThat(second.fencingToken(key)).isGreaterThan(first.fencingToken(key));
        first.release();
        second.release();
    }

    @Test
    void aCrashedHoldersLeaseIsAcquirableWithinLeasePlusSlack() throws Exception {
        LockKey key = new LockKey("b", "crashed");
        TwoLevelLockService crashing = instance(Duration.ofMillis(500));
        TwoLevelLockService survivor = instance(Duration.ofSeconds(30));
        HeldKeys orphan = acquire(crashing, key);
        long crashed = System.nanoTime();
        crashing.abandon(); // no release, no more renewals: as if the process died (close() would release)

        HeldKeys taken = acquire(survivor, key);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashed);
        assertThat(tookMs).isBetween(300L + LockFixtures.SETTLE.toMillis(), 500L + 1000L);
        assertThat(survivor.metrics().settledBeforeFirstWrite()).isEqualTo(1);
        assertThat(taken.fencingToken(key)).isGreaterThan(orphan.fencingToken(key));
        taken.release();
    }
}
