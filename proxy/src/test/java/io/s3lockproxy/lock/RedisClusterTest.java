package io.s3lockproxy.lock;

import static io.s3lockproxy.lock.LockFixtures.acquire;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/** Lock instances sharing a real 3-master/3-replica Redis Cluster through a redis-cluster:// URI. */
@Timeout(180)
class RedisClusterTest {

    private static RedisClusterProcess cluster;
    private final LockFixtures fixtures = new LockFixtures();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisClusterProcess.startIfPossible();
    }

    @BeforeEach
    void needsTheCluster() throws Exception {
        RedisClusterProcess.assumeStarted(cluster);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void closeLocks() {
        fixtures.close();
    }

    private TwoLevelLockService instance(Duration lease, Duration wait) {
        return fixtures.lock(cluster.uri(), lease, wait);
    }

    /** Returns {@code count} keys named {@code prefix-n}, each in a slot of its own. */
    private static List<LockKey> keysInDistinctSlots(String prefix, int count) {
        List<LockKey> keys = new ArrayList<>();
        Set<Integer> slots = new HashSet<>();
        for (int n = 0; keys.size() < count; n++) {
            LockKey key = new LockKey("b", prefix + "-" + n);
            if (slots.add(slot(key))) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static int slot(LockKey key) {
        return JedisClusterCRC16.getSlot(RedisScripts.lockKey(key));
    }

    /** Returns one key per running master, each in a slot that master serves. */
    private static List<LockKey> oneKeyPerMaster(String prefix) {
        List<LockKey> keys = new ArrayList<>();
        Set<Integer> mastersSeen = new HashSet<>();
        for (int n = 0; keys.size() < cluster.masters().size(); n++) {
            LockKey key = new LockKey("b", prefix + "-" + n);
            if (mastersSeen.add(cluster.masterOf(slot(key)).port())) {
                keys.add(key);
            }
        }
        return keys;
    }

    @Test
    void everyKeyOfALeaseIncludingItsEpochIsInTheObjectKeysSlot() {
        for (LockKey key : List.of(new LockKey("b", "k"), new LockKey("b", "a}b{c"), new LockKey("bucket", "{x}/y"))) {
            int slot = slot(key);
            assertThat(JedisClusterCRC16.getSlot(RedisScripts.tokenCounterKey(key))).isEqualTo(slot);
            assertThat(JedisClusterCRC16.getSlot(RedisScripts.holderKey(key))).isEqualTo(slot);
            assertThat(JedisClusterCRC16.getSlot(EpochKeys.perSlot().nameFor(key))).isEqualTo(slot);
        }
    }

    @Test
    void threeInstancesExcludeEachOtherOnKeysSpreadOverEveryMaster() throws Exception {
        List<LockKey> keys = keysInDistinctSlots("spread", 24);
        Set<Integer> masters = new HashSet<>();
        keys.forEach(k -> masters.add(cluster.masterOf(slot(k)).port()));
        assertThat(masters).as("the keys live on every master").hasSize(3);
        List<TwoLevelLockService> instances = List.of(
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)),
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)),
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)));
        Map<LockKey, KeyHistory> histories = new ConcurrentHashMap<>();
        keys.forEach(k -> histories.put(k, new KeyHistory()));
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                LockService lock = instances.get(t % 3);
                int first = t;
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        // Four threads per key at a time, over all the keys: contention on every master.
                        LockKey key = keys.get((first / 4 + i) % keys.size());
                        HeldKeys handle = acquire(lock, key);
                        histories.get(key).enter(handle.fencingToken(key), handle.previousToken(key));
                        histories.get(key).leave();
                        handle.release();
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        histories.forEach((key, history) -> history.assertSerial(key.toString()));
        assertThat(histories.values().stream().mapToInt(h -> h.acquisitions).sum()).isEqualTo(720);
        for (TwoLevelLockService lock : instances) {
            LockFixtures.assertIdle(lock);
            assertThat(lock.metrics().heldLocks()).isZero();
            assertThat(lock.metrics().settledBeforeFirstWrite()).isZero();
            assertThat(lock.redisProblem()).as("health check").isNull();
        }
        assertThat(instances.stream().mapToLong(l -> l.metrics().contendedAcquisitions()).sum()).isPositive();
    }

    @Test
    void keySetsAcrossSlotsInOppositeOrdersOnThreeInstancesNeverDeadlock() throws Exception {
        List<LockKey> keys = oneKeyPerMaster("multi");
        List<TwoLevelLockService> instances = List.of(
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)),
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)),
                instance(Duration.ofSeconds(10), Duration.ofSeconds(60)));
        Map<LockKey, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        keys.forEach(k -> inFlight.put(k, new AtomicInteger()));
        AtomicInteger violations = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 9; t++) {
                LockService lock = instances.get(t % 3);
                // Each thread asks for the three keys (on three masters) in its own rotation or reversal.
                List<LockKey> request = new ArrayList<>(keys);
                Collections.rotate(request, t % 3);
                if (t % 2 == 1) {
                    Collections.reverse(request);
                }
                workers.add(pool.submit(LockFixtures.holdRepeatedly(lock, request, 30, inFlight, violations)));
            }
            for (Future<?> w : workers) {
                w.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(violations.get()).isZero();
        assertThat(instances.stream().mapToLong(l -> l.metrics().acquisitions()).sum()).isEqualTo(270);
        for (TwoLevelLockService lock : instances) {
            LockFixtures.assertIdle(lock);
        }
    }

    @Test
    void aReleaseOnAnyMasterWakesAWaiterOnAnotherInstancePromptly() throws Exception {
        TwoLevelLockService holder = instance(Duration.ofSeconds(30), Duration.ofSeconds(20));
        TwoLevelLockService waiter = instance(Duration.ofSeconds(30), Duration.ofSeconds(20));
        assertThat(LockFixtures.eventually(Duration.ofSeconds(10), () -> waiter.redis().subscriber().listening()))
                .isTrue();
        // The waiter's subscription is on one master; releases happen on each of the three.
        for (LockKey key : oneKeyPerMaster("wakeup")) {
            HeldKeys held = acquire(holder, key);
            CompletableFuture<HeldKeys> waiting = waiter.acquire(List.of(key), "waiter");
            assertThat(LockFixtures.eventually(Duration.ofSeconds(5),
                    () -> waiter.redis().subscriber().registeredChannels() == 1)).isTrue();
            Thread.sleep(200); // let its first SET NX fail, so that it sleeps on the 30 s PTTL
            assertThat(waiting).isNotDone();
            long released = System.nanoTime();
            held.release();
            HeldKeys next = waiting.get(10, TimeUnit.SECONDS);
            long wokenAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
            assertThat(wokenAfterMs).as("wake-up of %s (master %d) after release, lease 30 s", key,
                    cluster.masterOf(slot(key)).port()).isLessThan(1000);
            next.release();
        }
    }

    @Test
    void aMasterThatLostItsDataMakesTheNextWriterOfItsSlotsSettleButNoOther() throws Exception {
        TwoLevelLockService lock = instance(Duration.ofSeconds(10), Duration.ofSeconds(10));
        assertThat(LockFixtures.eventually(Duration.ofSeconds(20),
                () -> lock.redis().epochsSeen() == ClusterSlotTags.SLOTS))
                .as("the instance reads every slot's epoch when it starts").isTrue();
        List<LockKey> keys = oneKeyPerMaster("lost-" + System.nanoTime());
        RedisServerProcess flushed = cluster.masterOf(slot(keys.get(0)));
        try (Jedis admin = new Jedis("127.0.0.1", flushed.port())) {
            admin.flushAll();
        }
        // Keys never locked before: only the epoch of their slot, read at start, tells the loss.
        for (LockKey key : keys) {
            long settledBefore = lock.metrics().settledBeforeFirstWrite();
            acquire(lock, key).release();
            boolean onFlushedMaster = cluster.masterOf(slot(key)).port() == flushed.port();
            assertThat(lock.metrics().settledBeforeFirstWrite() - settledBefore)
                    .as("%s on the %s master", key, onFlushedMaster ? "flushed" : "other").isEqualTo(onFlushedMaster ? 1 : 0);
        }
    }

    @Test
    void aClusterNobodyAnswersMakesAcquisitionsFailNotTheStart() throws Exception {
        TwoLevelLockService lock = fixtures.lock(java.net.URI.create("redis-cluster://127.0.0.1:1,127.0.0.1:2"),
                Duration.ofSeconds(5), Duration.ofSeconds(5));
        CompletableFuture<HeldKeys> attempt = lock.acquire(List.of(new LockKey("b", "nowhere")), "down");
        assertThat(attempt).failsWithin(Duration.ofSeconds(20))
                .withThrowableThat().havingCause().isInstanceOf(LockUnavailableException.class);
        assertThat(lock.redisProblem()).isNotNull();
    }

    /** What the holders of one key saw, in the order they held it; checked for overlap and token order. */
    static final class KeyHistory {
        private int inFlight;
        private int overlaps;
        private long lastToken;
        private int outOfOrder;
        private int brokenChain;
        int acquisitions;

        synchronized void enter(long token, long previous) {
            if (++inFlight > 1) {
                overlaps++;
            }
            if (token <= lastToken) {
                outOfOrder++;
            }
            if (previous != lastToken) {
                brokenChain++;
            }
            lastToken = token;
            acquisitions++;
        }

        synchronized void leave() {
            inFlight--;
        }

        synchronized void assertSerial(String key) {
            assertThat(overlaps).as("overlapping holders of %s", key).isZero();
            assertThat(outOfOrder).as("tokens of %s not increasing", key).isZero();
            assertThat(brokenChain).as("acquisitions of %s not naming their predecessor's token", key).isZero();
        }
    }
}
