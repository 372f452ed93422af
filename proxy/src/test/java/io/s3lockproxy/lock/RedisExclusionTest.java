package io.s3lockproxy.lock;

import static io.s3lockproxy.lock.LockFixtures.acquire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exclusion, ordering, wake-up and timeouts across lock instances sharing one real Redis. */
@Timeout(120)
class RedisExclusionTest {

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

    private TwoLevelLockService instance(Duration lease, Duration wait) {
        return fixtures.lock(redis.uri(), lease, wait);
    }

    @Test
    void threeInstancesNeverHoldOneKeyAtOnceAndTokensIncreaseInAcquisitionOrder() throws Exception {
        LockKey key = new LockKey("b", "exclusion");
        List<TwoLevelLockService> instances = List.of(
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)),
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)),
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)));
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicLong lastToken = new AtomicLong();
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger brokenChain = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                LockService lock = instances.get(t % 3);
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        HeldKeys handle = acquire(lock, key);
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        long token = handle.fencingToken(key);
                        if (token <= lastToken.get()) {
                            outOfOrder.incrementAndGet();
                        }
                        if (handle.previousToken(key) != lastToken.get()) {
                            brokenChain.incrementAndGet();
                        }
                        lastToken.set(token);
                        inFlight.decrementAndGet();
                        handle.release();
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxInFlight.get()).isEqualTo(1);
        assertThat(outOfOrder.get()).isZero();
        assertThat(brokenChain.get()).as("each acquisition names its predecessor's token").isZero();
        for (TwoLevelLockService lock : instances) {
            LockFixtures.assertIdle(lock);
            assertThat(lock.metrics().acquisitions()).isEqualTo(160);
            assertThat(lock.metrics().heldLocks()).isZero();
            assertThat(lock.metrics().waiters()).isZero();
        }
        assertThat(instances.stream().mapToLong(l -> l.metrics().contendedAcquisitions()).sum()).isPositive();
    }

    @Test
    void afterRedisLostTheKeysCounterThePreviousTokenIsUnknown() throws Exception {
        LockKey key = new LockKey("b", "forgotten");
        TwoLevelLockService lock = instance(Duration.ofSeconds(10), Duration.ofSeconds(10));
        HeldKeys first = acquire(lock, key);
        first.release();
        HeldKeys second = acquire(lock, key);
        assertThat(second.previousToken(key)).isEqualTo(first.fencingToken(key));
        second.release();
        redis.command("DEL " + RedisScripts.tokenCounterKey(key));
        HeldKeys third = acquire(lock, key);
        assertThat(third.previousToken(key)).isZero();
        assertThat(third.fencingToken(key)).isGreaterThan(second.fencingToken(key));
        third.release();
    }

    @Test
    void anAcquisitionRunTwiceForOneOwnerIsGrantedAgainWithANewTokenAndAsInDoubt() {
        // What a client that resends a command whose reply was lost (the cluster client) makes Redis do.
        LockKey key = new LockKey("b", "resent");
        RedisLease redis = instance(Duration.ofSeconds(10), Duration.ofSeconds(10)).redis();
        List<?> first = redis.tryAcquire(key, "owner-1");
        List<?> again = redis.tryAcquire(key, "owner-1");
        List<?> other = redis.tryAcquire(key, "owner-2");
        assertThat(first.get(0)).isEqualTo(1L);
        assertThat(again.get(0)).isEqualTo(1L);
        assertThat((Long) again.get(1)).isGreaterThan((Long) first.get(1));
        assertThat(redis.predecessorInDoubt(key, first)).isFalse();
        assertThat(redis.predecessorInDoubt(key, again)).as("what the first run found is unknown").isTrue();
        assertThat(other.get(0)).as("another owner still waits").isEqualTo(0L);
        redis.releaseQuietly(key, "owner-1");
    }

    @Test
    void overlappingKeySetsInOppositeOrdersOnTwoInstancesNeverDeadlock() throws Exception {
        List<LockKey> keys = List.of(new LockKey("b", "k1"), new LockKey("b", "k2"), new LockKey("b", "k3"));
        List<LockKey> reversed = List.of(keys.get(2), keys.get(1), keys.get(0));
        TwoLevelLockService left = instance(Duration.ofSeconds(10), Duration.ofSeconds(60));
        TwoLevelLockService right = instance(Duration.ofSeconds(10), Duration.ofSeconds(60));
        ConcurrentHashMap<LockKey, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        keys.forEach(k -> inFlight.put(k, new AtomicInteger()));
        AtomicInteger violations = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                boolean even = t % 2 == 0;
                LockService lock = even ? left : right;
                // Each side asks for two overlapping keys in its own (opposite) order.
                List<LockKey> request = even ? List.of(keys.get(0), keys.get(1), keys.get(2)) : reversed.subList(0, 2 + t % 3 / 2);
                workers.add(pool.submit(LockFixtures.holdRepeatedly(lock, request, 30, inFlight, violations)));
            }
            for (Future<?> w : workers) {
                w.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(violations.get()).isZero();
        assertThat(left.metrics().acquisitions() + right.metrics().acquisitions()).isEqualTo(240);
        LockFixtures.assertIdle(left);
        LockFixtures.assertIdle(right);
    }

    @Test
    void aWaiterIsWokenPromptlyByTheReleaseNotByTheLease() throws Exception {
        LockKey key = new LockKey("b", "wakeup");
        TwoLevelLockService holder = instance(Duration.ofSeconds(30), Duration.ofSeconds(20));
        TwoLevelLockService waiter = instance(Duration.ofSeconds(30), Duration.ofSeconds(20));
        HeldKeys held = acquire(holder, key);
        CompletableFuture<HeldKeys> waiting = waiter.acquire(List.of(key), "waiter");
        // Let the waiter subscribe, fail its SET NX and go to sleep on the 30 s PTTL.
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        long released = System.nanoTime();
        held.release();
        HeldKeys next = waiting.get(10, TimeUnit.SECONDS);
        long wokenAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
        assertThat(wokenAfterMs).as("wake-up after release, lease 30 s").isLessThan(1000);
        assertThat(next.fencingToken(key)).isGreaterThan(held.fencingToken(key));
        next.release();
        assertThat(waiter.metrics().contendedAcquisitions()).isEqualTo(1);
    }

    @Test
    void waitingLongerThanWaitMsFailsWithLockTimeoutException() throws Exception {
        LockKey key = new LockKey("b", "timeout");
        TwoLevelLockService holder = instance(Duration.ofSeconds(30), Duration.ofSeconds(5));
        TwoLevelLockService waiter = instance(Duration.ofSeconds(30), Duration.ofMillis(400));
        HeldKeys held = acquire(holder, key);
        long start = System.nanoTime();
        CompletableFuture<HeldKeys> waiting = waiter.acquire(List.of(key), "late");
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LockTimeoutException.class);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs).isBetween(350L, 1400L);
        assertThat(waiter.metrics().timeouts()).isEqualTo(1);
        held.release();
        LockFixtures.assertIdle(waiter);
    }

    @Test
    void releasingTwiceThrowsAndDoesNotFreeTheNextHoldersLease() throws Exception {
        LockKey key = new LockKey("b", "twice");
        TwoLevelLockService lock = instance(Duration.ofSeconds(30), Duration.ofSeconds(5));
        HeldKeys first = acquire(lock, key);
        first.release();
        HeldKeys second = acquire(lock, key);
        assertThatThrownBy(first::release).isInstanceOf(IllegalStateException.class);
        assertThat(redis.command("EXISTS " + RedisScripts.lockKey(key))).isEqualTo(":1");
        second.release();
        assertThat(LockFixtures.eventually(Duration.ofSeconds(5),
                () -> ":0".equals(redis.command("EXISTS " + RedisScripts.lockKey(key))))).isTrue();
    }

    @Test
    void aNonOwnerReleaseDoesNotDeleteAnotherOwnersLease() throws Exception {
        LockKey key = new LockKey("b", "non-owner");
        TwoLevelLockService stale = instance(Duration.ofMillis(300), Duration.ofSeconds(5));
        TwoLevelLockService current = instance(Duration.ofSeconds(30), Duration.ofSeconds(5));
        TwoLevelLockService third = instance(Duration.ofSeconds(30), Duration.ofMillis(300));
        stale.redis().pauseRenewals(true);
        HeldKeys staleHandle = acquire(stale, key);
        HeldKeys currentHandle = acquire(current, key); // after the stale lease expired
        assertThat(staleHandle.isLost()).isTrue();
        staleHandle.release(); // compare-and-delete must leave the current owner's lease alone
        Thread.sleep(100);
        assertThat(redis.command("EXISTS " + RedisScripts.lockKey(key))).isEqualTo(":1");
        assertThatThrownBy(() -> third.acquire(List.of(key), "third").get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LockTimeoutException.class);
        currentHandle.release();
    }
}
