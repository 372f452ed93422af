package io.s3lockproxy.lock;

import static io.s3lockproxy.lock.LockFixtures.acquire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3lockproxy.config.LockConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.RedisClient;

/**
 * What the lock tells a write at its commit point, and the settle periods around writes whose
 * outcome may still be landing — on a real Redis, with time moved by hand.
 */
@Timeout(60)
class CommitPointTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration MARGIN = Duration.ofSeconds(5);
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private static RedisServerProcess redis;
    private static RedisClient admin;
    private final LockFixtures fixtures = new LockFixtures();
    private final ManualTime time = new ManualTime();
    private final LockKey key = new LockKey("b", "commit-" + System.nanoTime());

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.start();
        admin = RedisClient.create(redis.uri());
    }

    @AfterAll
    static void stopRedis() throws Exception {
        admin.close();
        redis.close();
    }

    @AfterEach
    void closeLocks() {
        fixtures.close();
    }

    private TwoLevelLockService instance() {
        return fixtures.lock(new LockConfig(redis.uri(), LEASE, Duration.ofSeconds(60), LockConfig.Mode.SERIALIZE,
                LockConfig.OnRedisDown.FAIL, MARGIN, SETTLE), time);
    }

    @Test
    void aWriteMayCommitOnlyWhileItsLeaseIsCertainlyHeldForTheMargin() throws Exception {
        TwoLevelLockService lock = instance();
        HeldKeys held = acquire(lock, key);
        lock.redis().pauseRenewals(true);
        assertThat(held.canCommit()).isTrue();
        // The holder's own deadline is 0.9 lease after the acquire was sent: 27 s. Margin 5 s.
        time.advance(Duration.ofSeconds(22));
        assertThat(held.canCommit()).as("exactly the margin left").isTrue();
        time.advance(Duration.ofMillis(1));
        assertThat(held.canCommit()).as("less than the margin left").isFalse();
        assertThat(lock.metrics().commitsRefused()).isEqualTo(1);
        held.release();
    }

    @Test
    void confirmingWithRedisRenewsTheLeaseAndMovesTheDeadline() throws Exception {
        TwoLevelLockService lock = instance();
        HeldKeys held = acquire(lock, key);
        lock.redis().pauseRenewals(true);
        time.advance(Duration.ofSeconds(25));
        assertThat(held.canCommit()).isFalse();
        assertThat(held.confirm().get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(held.canCommit()).as("renewed at 25 s: certain until 52 s").isTrue();
        assertThat(admin.pttl(RedisScripts.lockKey(key))).isGreaterThan(LEASE.toMillis() - 5_000);
        held.release();
    }

    @Test
    void aConfirmationFromMomentsAgoIsNotAskedAgain() throws Exception {
        TwoLevelLockService lock = instance();
        HeldKeys held = acquire(lock, key);
        admin.flushAll();
        time.advance(Duration.ofNanos(RedisLease.RECENTLY_CONFIRMED_NANOS - 1));
        assertThat(held.confirm()).as("acquired within the last 50 ms: no round trip").isCompletedWithValue(true);
        held.release();
    }

    @Test
    void confirmationFailsWhenRedisLostTheLeaseEvenThoughTheOwnClockSaysItIsHeld() throws Exception {
        TwoLevelLockService lock = instance();
        HeldKeys held = acquire(lock, key);
        admin.flushAll();
        time.advance(Duration.ofNanos(RedisLease.RECENTLY_CONFIRMED_NANOS));
        assertThat(held.canCommit()).as("the own clock cannot know").isTrue();
        assertThat(held.confirm().get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(held.isLost()).isTrue();
        assertThat(held.canCommit()).isFalse();
        held.release();
    }

    @Test
    void withoutRedisEveryCommitIsAllowedAndConfirmedAtOnce() throws Exception {
        TwoLevelLockService lock = fixtures.lock(new LockConfig(null, LEASE, Duration.ofSeconds(10),
                LockConfig.Mode.SERIALIZE, LockConfig.OnRedisDown.FAIL, MARGIN, SETTLE), time);
        HeldKeys held = acquire(lock, key);
        time.advance(Duration.ofHours(1));
        assertThat(held.confirm()).isCompletedWithValue(true);
        assertThat(held.canCommit()).isTrue();
        held.release();
    }

    @Test
    void aLeaseThatExpiredInsteadOfBeingReleasedIsHandedOverOnlyAfterTheSettlePeriod() throws Exception {
        TwoLevelLockService crashed = instance();
        TwoLevelLockService next = instance();
        acquire(crashed, key);
        crashed.abandon();
        admin.del(RedisScripts.lockKey(key)); // the lease expires; its holder never released it

        CompletableFuture<HeldKeys> taking = next.acquire(List.of(key), "next");
        awaitSettling(next);
        assertThat(taking).as("granted in Redis, held back for the settle period").isNotDone();
        time.advance(SETTLE.minusMillis(1));
        assertThat(taking).isNotDone();
        time.advance(Duration.ofMillis(1));
        assertThat(taking).isDone();
        assertThat(next.metrics().settledBeforeFirstWrite()).isEqualTo(1);
        taking.get().release();
    }

    @Test
    void aReleasedLeaseIsHandedOverAtOnce() throws Exception {
        TwoLevelLockService first = instance();
        TwoLevelLockService next = instance();
        acquire(first, key).release();
        awaitReleasedInRedis();
        CompletableFuture<HeldKeys> taking = next.acquire(List.of(key), "next");
        assertThat(taking.get(5, TimeUnit.SECONDS).isLost()).isFalse();
        assertThat(next.metrics().settledBeforeFirstWrite()).isZero();
        taking.get().release();
    }

    @Test
    void aKeyFirstTakenAfterRedisLostItsDataSettlesOnlyWhileTheLossIsRecent() throws Exception {
        TwoLevelLockService lock = instance();
        LockKey seen = new LockKey("b", "seen-" + System.nanoTime());
        acquire(lock, seen).release(); // the instance has seen the dataset's epoch
        HeldKeys fresh = acquire(lock, key);
        assertThat(lock.metrics().settledBeforeFirstWrite()).as("a key never locked before, Redis intact").isZero();
        fresh.release();
        awaitReleasedInRedis();

        admin.flushAll();
        LockKey other = new LockKey("b", "other-" + System.nanoTime());
        CompletableFuture<HeldKeys> first = lock.acquire(List.of(other), "after-flush");
        awaitSettling(lock);
        assertThat(first).as("nothing is known about the key's previous holder").isNotDone();
        time.advance(SETTLE);
        first.get(5, TimeUnit.SECONDS).release();

        // The loss was long ago (epoch two hours old): a key whose counter is gone is just idle.
        admin.set(EpochKeys.single().name(0), Long.toString(TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis())
                - TimeUnit.HOURS.toMicros(2)));
        LockKey idle = new LockKey("b", "idle-" + System.nanoTime());
        HeldKeys cold = lock.acquire(List.of(idle), "cold").get(5, TimeUnit.SECONDS);
        assertThat(lock.metrics().settledBeforeFirstWrite()).isEqualTo(1);
        cold.release();
    }

    @Test
    void anInstanceMeetingAFreshRedisDoesNotSettle() throws Exception {
        admin.flushAll();
        TwoLevelLockService lock = instance();
        HeldKeys held = acquire(lock, key);
        assertThat(lock.metrics().settledBeforeFirstWrite()).isZero();
        held.release();
    }

    @Test
    void anUnknownOutcomeKeepsTheKeyLockedAndRenewedForTheSettlePeriod() throws Exception {
        TwoLevelLockService holder = instance();
        TwoLevelLockService next = instance();
        HeldKeys held = acquire(holder, key);
        held.releaseAfterSettle();
        assertThatThrownBy(held::release).isInstanceOf(IllegalStateException.class);

        CompletableFuture<HeldKeys> waiting = next.acquire(List.of(key), "next");
        time.advance(SETTLE.minusSeconds(1)); // renewals ran meanwhile: the lease is still the holder's
        assertThat(admin.get(RedisScripts.lockKey(key))).as("still held in Redis").isNotNull();
        assertThat(waiting).isNotDone();
        time.advance(Duration.ofSeconds(1));
        HeldKeys granted = waiting.get(5, TimeUnit.SECONDS);
        assertThat(next.metrics().settledBeforeFirstWrite()).as("the settled holder released: nothing in doubt").isZero();
        granted.release();
    }

    @Test
    void aThousandFreeKeysAreTakenWithoutGrowingTheStack() throws Exception {
        TwoLevelLockService lock = fixtures.lock(new LockConfig(null, LEASE, Duration.ofSeconds(10),
                LockConfig.Mode.SERIALIZE, LockConfig.OnRedisDown.FAIL, MARGIN, SETTLE), time);
        List<LockKey> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(new LockKey("b", "many/" + i));
        }
        CompletableFuture<HeldKeys> result = new CompletableFuture<>();
        // A small stack, as an event loop's might be: a recursive acquisition overflows it.
        Thread caller = new Thread(null, () -> lock.acquire(keys, "many").whenComplete((h, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(h);
            }
        }), "small-stack", 128 * 1024);
        caller.start();
        caller.join();
        HeldKeys held = result.get(5, TimeUnit.SECONDS);
        assertThat(held.fencingToken(keys.get(999))).isPositive();
        held.release();
        LockFixtures.assertIdle(lock);
    }

    /** Waits until an acquisition of {@code lock} was granted in Redis and put off for the settle period. */
    private static void awaitSettling(TwoLevelLockService lock) throws InterruptedException {
        assertThat(LockFixtures.eventually(Duration.ofSeconds(5), () -> lock.metrics().settledBeforeFirstWrite() == 1))
                .isTrue();
    }

    private void awaitReleasedInRedis() throws InterruptedException {
        assertThat(LockFixtures.eventually(Duration.ofSeconds(5), () -> admin.get(RedisScripts.lockKey(key)) == null
                && admin.get(RedisScripts.holderKey(key)) == null)).isTrue();
    }
}
