package io.s3lockproxy.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A master of a real Redis Cluster killed (SIGKILL) while three lock instances keep locking keys on
 * every master: its replica is promoted, locking on its slots resumes, and each key's fencing tokens
 * keep increasing strictly.
 */
@Timeout(180)
class RedisClusterFailoverTest {

    private static final Duration LEASE = Duration.ofSeconds(3);

    @Test
    void afterAMasterIsKilledItsReplicaTakesOverAndTokensKeepIncreasing() throws Exception {
        try (RedisClusterProcess cluster = RedisClusterProcess.start(); LockFixtures fixtures = new LockFixtures()) {
            List<LockKey> keys = new ArrayList<>();
            Set<Integer> slots = new HashSet<>();
            for (int n = 0; keys.size() < 30; n++) {
                LockKey key = new LockKey("b", "failover-" + n);
                if (slots.add(slot(key))) {
                    keys.add(key);
                }
            }
            List<TwoLevelLockService> instances = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                instances.add(fixtures.lock(cluster.uri(), LEASE, Duration.ofSeconds(20)));
            }
            RedisServerProcess victim = cluster.masterOf(slot(keys.get(0)));
            List<LockKey> onVictim = keys.stream().filter(k -> cluster.masterOf(slot(k)) == victim).toList();
            List<LockKey> elsewhere = keys.stream().filter(k -> !onVictim.contains(k)).toList();

            Map<LockKey, TokenHistory> histories = new ConcurrentHashMap<>();
            keys.forEach(k -> histories.put(k, new TokenHistory()));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong failures = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                LockService lock = instances.get(t % 3);
                // Three threads on the victim's keys, three on the others': a wait on one group does
                // not hold up the other.
                List<LockKey> group = t < 3 ? onVictim : elsewhere;
                int offset = t * 5;
                workers.add(pool.submit(() -> {
                    for (int i = offset; !stop.get(); i++) {
                        LockKey key = group.get(i % group.size());
                        HeldKeys handle;
                        try {
                            handle = lock.acquire(List.of(key), "failover").get(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            Thread.sleep(10);
                            continue;
                        }
                        TokenHistory history = histories.get(key);
                        history.enter(handle.fencingToken(key), System.nanoTime());
                        Thread.sleep(2); // a short write
                        history.leave();
                        handle.release();
                    }
                    return null;
                }));
            }
            Thread.sleep(2000);
            long killedAt = System.nanoTime();
            victim.kill();
            cluster.awaitServing(30_000);
            long servingAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            boolean resumed = LockFixtures.eventually(Duration.ofSeconds(30), () -> onVictim.stream()
                    .allMatch(k -> histories.get(k).acquisitionsSince(killedAt) >= 3));
            Thread.sleep(1000);
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();

            long victimGapMs = onVictim.stream().mapToLong(k -> histories.get(k).gapAcrossMillis(killedAt)).max()
                    .orElseThrow();
            long otherGapMs = elsewhere.stream().mapToLong(k -> histories.get(k).gapAcrossMillis(killedAt)).max().orElseThrow();
            int overlaps = histories.values().stream().mapToInt(TokenHistory::overlaps).sum();
            System.out.printf("RedisClusterFailoverTest: master %d killed (node timeout %d ms); cluster serving all"
                            + " slots again after %d ms; longest pause in locking %d ms for its %d keys, %d ms for"
                            + " the %d keys of the other masters; %d failed acquisitions, %d overlapping holders%n",
                    victim.port(), RedisClusterProcess.NODE_TIMEOUT_MILLIS, servingAfterMs, victimGapMs,
                    onVictim.size(), otherGapMs, elsewhere.size(), failures.get(), overlaps);

            assertThat(onVictim).as("keys on the killed master").isNotEmpty();
            assertThat(cluster.masters()).as("its replica was promoted").hasSize(3).doesNotContain(victim);
            assertThat(resumed).as("every key of the killed master is locked again").isTrue();
            assertThat(victimGapMs).as("pause in locking the killed master's keys").isLessThan(20_000);
            histories.forEach((key, history) ->
                    assertThat(history.outOfOrder()).as("tokens of %s not strictly increasing", key).isZero());
        }
    }

    /**
     * The overlap window a failover leaves: replication is asynchronous, so a lease the master granted
     * and had not yet sent to its replica is gone after the replica takes over, and is granted again
     * while its first holder has not released it. The TIME floor keeps the second token above the
     * first (the replica's counter is behind), the first holder learns of the loss at its next renewal
     * (its commit point refuses from then on), and nothing makes the second holder settle: the key's
     * counter survived, its holder marker did not.
     */
    @Test
    void aLeaseTheReplicaNeverGotIsGrantedAgainAfterTheFailoverWithAHigherToken() throws Exception {
        try (RedisClusterProcess cluster = RedisClusterProcess.start(); LockFixtures fixtures = new LockFixtures()) {
            TwoLevelLockService first = fixtures.lock(cluster.uri(), LEASE, Duration.ofSeconds(20));
            TwoLevelLockService second = fixtures.lock(cluster.uri(), LEASE, Duration.ofSeconds(20));
            LockKey key = new LockKey("b", "unreplicated");
            LockFixtures.acquire(first, key).release();
            RedisServerProcess master = cluster.masterOf(slot(key));
            RedisServerProcess replica = cluster.replicaOf(master);

            // Cut the replication link and keep the replica from reconnecting: what the master writes
            // next stays on the master alone.
            replica.pause();
            HeldKeys stale;
            try {
                assertThat(master.command("CLIENT KILL TYPE replica")).isEqualTo(":1");
                stale = LockFixtures.acquire(first, key);
                master.kill();
            } finally {
                replica.resume();
            }
            cluster.awaitServing(30_000);
            HeldKeys current = LockFixtures.acquire(second, key);

            assertThat(current.fencingToken(key)).isGreaterThan(stale.fencingToken(key));
            assertThat(second.metrics().settledBeforeFirstWrite()).as("nothing tells of the lost lease").isZero();
            assertThat(LockFixtures.eventually(LEASE, stale::isLost))
                    .as("the first holder's renewal finds the lease gone").isTrue();
            current.release();
            stale.release();
        }
    }

    private static int slot(LockKey key) {
        return JedisClusterCRC16.getSlot(RedisScripts.lockKey(key));
    }

    /** The holders of one key in the order their acquisitions completed. */
    private static final class TokenHistory {
        private final List<Long> grantedAt = new ArrayList<>();
        private long lastToken;
        private int outOfOrder;
        private int inFlight;
        private int overlaps;

        synchronized void enter(long token, long nanos) {
            if (token <= lastToken) {
                outOfOrder++;
            }
            lastToken = token;
            if (++inFlight > 1) {
                overlaps++;
            }
            grantedAt.add(nanos);
        }

        synchronized void leave() {
            inFlight--;
        }

        synchronized int outOfOrder() {
            return outOfOrder;
        }

        synchronized int overlaps() {
            return overlaps;
        }

        synchronized long acquisitionsSince(long nanos) {
            return grantedAt.stream().filter(t -> t - nanos > 0).count();
        }

        /** Returns the time between the last acquisition before {@code nanos} and the first after it. */
        synchronized long gapAcrossMillis(long nanos) {
            long before = grantedAt.stream().filter(t -> t - nanos <= 0).max(Long::compare).orElse(nanos);
            long after = grantedAt.stream().filter(t -> t - nanos > 0).min(Long::compare).orElse(System.nanoTime());
            return TimeUnit.NANOSECONDS.toMillis(after - before);
        }
    }
}
