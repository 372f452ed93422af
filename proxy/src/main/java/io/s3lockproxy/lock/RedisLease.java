package io.s3lockproxy.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Level 2: leases on keys in the shared Redis, with renewal, confirmation, release and loss detection.
 *
 * <p>Every Redis command runs on the {@code io} executor (blocking Jedis calls never run on the
 * caller's thread); the {@link LockTimer} only fires tasks that hand work to {@code io}. A held
 * lease is renewed (compare-and-PEXPIRE) every lease/3. The holder's own deadline is the monotonic
 * time at which its last successful acquire or renew command was <em>sent</em>, plus the lease,
 * minus a tenth: Redis started the TTL later than that, so the holder gives up first. When a
 * renewal finds the lease gone, or the deadline passes without a successful renewal, the lease is
 * declared lost.
 */
final class RedisLease {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLease.class);
    private static final LuaScript ACQUIRE = new LuaScript(RedisScripts.ACQUIRE);
    private static final LuaScript RENEW = new LuaScript(RedisScripts.RENEW);
    private static final LuaScript RELEASE = new LuaScript(RedisScripts.RELEASE);
    /** How recent a confirmation by Redis must be for the commit point to take it as is. */
    static final long RECENTLY_CONFIRMED_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How often the epochs are asked for at start before they are left to acquisitions. */
    private static final int EPOCH_READS = 10;

    private final UnifiedJedis client;
    private final ReleaseSubscriber subscriber;
    private final ExecutorService io;
    private final LockTimer timer;
    private final Ticker ticker;
    private final long leaseMillis;
    private final long safeNanos;
    private final long renewalNanos;
    private final String counterTtlMillis;
    private final String markerTtlMillis;
    private final long unknownWindowMicros;
    private final EpochKeys epochs;
    /** Per epoch scope (see {@link EpochKeys}): the epoch when this instance first saw it; 0 until then. */
    private final AtomicLongArray firstEpochs;
    private volatile boolean renewalsPaused;

    /**
     * @param settle the settle period: how long a write whose holder vanished may take to land, so
     *               holder markers outlive the lease by at least that much
     */
    RedisLease(UnifiedJedis client, EpochKeys epochs, ReleaseSubscriber subscriber, ExecutorService io, LockTimer timer,
               Ticker ticker, Duration lease, Duration settle) {
        if (lease.toMillis() < 3) {
            throw new IllegalArgumentException("lease must be at least 3 ms: " + lease);
        }
        this.client = client;
        this.epochs = epochs;
        this.firstEpochs = new AtomicLongArray(epochs.scopes());
        this.subscriber = subscriber;
        this.io = io;
        this.timer = timer;
        this.ticker = ticker;
        this.leaseMillis = lease.toMillis();
        this.safeNanos = lease.toNanos() - lease.toNanos() / 10;
        this.renewalNanos = lease.toNanos() / 3;
        this.counterTtlMillis = Long.toString(Math.max(Duration.ofHours(1).toMillis(), 2 * leaseMillis));
        this.markerTtlMillis = Long.toString(2 * leaseMillis + settle.toMillis());
        this.unknownWindowMicros = TimeUnit.MILLISECONDS.toMicros(leaseMillis + settle.toMillis());
        observeEpoch();
    }

    /**
     * Learns the epochs now (one round trip per node in a cluster: the scripts are pipelined), so
     * that a data loss later in this instance's life is recognised; epochs missing are created. Those
     * not read (Redis down, a node failing over) are asked again a second later, a few times; an
     * acquisition also records the epoch of its key's scope.
     */
    private void observeEpoch() {
        observeEpochs(EPOCH_READS);
    }

    private void observeEpochs(int attemptsLeft) {
        try {
            io.execute(() -> {
                List<Integer> unseen = new ArrayList<>();
                for (int scope = 0; scope < firstEpochs.length(); scope++) {
                    if (firstEpochs.get(scope) == 0) {
                        unseen.add(scope);
                    }
                }
                List<Response<Object>> replies = new ArrayList<>(unseen.size());
                try (AbstractPipeline pipeline = client.pipelined()) {
                    for (int scope : unseen) {
                        replies.add(pipeline.eval(RedisScripts.EPOCH, List.of(epochs.name(scope)), List.of()));
                    }
                    pipeline.sync();
                } catch (RuntimeException e) {
                    LOG.debug("epochs not all read: {}", e.toString());
                }
                int read = 0;
                for (int i = 0; i < replies.size(); i++) {
                    try {
                        firstEpochs.compareAndSet(unseen.get(i), 0, (Long) replies.get(i).get());
                        read++;
                    } catch (RuntimeException unanswered) {
                        // This scope is asked again, or learnt from its first acquisition.
                    }
                }
                if (read < unseen.size() && attemptsLeft > 1) {
                    timer.schedule(() -> observeEpochs(attemptsLeft - 1), TimeUnit.SECONDS.toNanos(1));
                }
            });
        } catch (RuntimeException rejected) {
            LOG.debug("epoch not read: {}", rejected.toString());
        }
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

    /**
     * Renews {@code lease} now and returns a future of whether Redis confirmed it is still ours;
     * false also when Redis cannot be asked. A lease whose acquisition or renewal Redis confirmed
     * in the last {@link #RECENTLY_CONFIRMED_NANOS} is not asked again (the future is complete at
     * once): a write that took its lock moments ago pays no second round trip. Otherwise completes
     * on the io executor.
     */
    CompletableFuture<Boolean> confirm(Lease lease) {
        if (!lease.renewable() || lease.isLost()) {
            return CompletableFuture.completedFuture(false);
        }
        // The deadline is the send time of the last confirmed command plus safeNanos.
        if (lease.deadlineNanos() - ticker.nanos() > safeNanos - RECENTLY_CONFIRMED_NANOS) {
            return CompletableFuture.completedFuture(true);
        }
        try {
            return CompletableFuture.supplyAsync(() -> renew(lease), io).exceptionally(e -> false);
        } catch (RuntimeException rejected) {
            return CompletableFuture.completedFuture(false);
        }
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
            Object deleted = RELEASE.run(client,
                    List.of(RedisScripts.lockKey(key), RedisScripts.holderKey(key)),
                    List.of(owner, RedisScripts.channel(key)));
            return Long.valueOf(1).equals(deleted);
        } catch (JedisException e) {
            LOG.debug("release of {} failed, it will expire: {}", key, e.toString());
            return false;
        }
    }

    /** Runs the acquire script on the calling (io) thread; see {@link RedisScripts#ACQUIRE} for the reply. */
    List<?> tryAcquire(LockKey key, String owner) {
        return (List<?>) ACQUIRE.run(client,
                List.of(RedisScripts.lockKey(key), RedisScripts.tokenCounterKey(key), RedisScripts.holderKey(key),
                        epochs.nameFor(key)),
                List.of(owner, Long.toString(leaseMillis), counterTtlMillis, markerTtlMillis));
    }

    /**
     * Returns whether the previous holder of a key just acquired (the acquire script's {@code reply})
     * may still have a write landing: it let its lease expire, or Redis lost the key's state moments
     * ago, after this instance had seen the earlier epoch of the key's dataset (cluster: slot). An
     * instance that starts after such a loss cannot tell it from a fresh Redis.
     */
    boolean predecessorInDoubt(LockKey key, List<?> reply) {
        boolean markerFound = Long.valueOf(1).equals(reply.get(2));
        boolean counterMissing = Long.valueOf(1).equals(reply.get(3));
        long epoch = (Long) reply.get(4);
        long epochAgeMicros = (Long) reply.get(5);
        int scope = epochs.scopeOf(key);
        firstEpochs.compareAndSet(scope, 0, epoch);
        boolean dataLost = epoch != firstEpochs.get(scope) && counterMissing && epochAgeMicros < unknownWindowMicros;
        return markerFound || dataLost;
    }

    /** Returns a new held lease whose acquire command was sent at {@code sentNanos}, with renewals started. */
    Lease held(LockKey key, String owner, long fencingToken, long previousToken, int attempts,
               boolean predecessorInDoubt, long sentNanos) {
        Lease lease = new Lease(key, owner, fencingToken, previousToken, attempts, predecessorInDoubt,
                sentNanos + safeNanos);
        scheduleRenewal(lease);
        watch(lease);
        return lease;
    }

    private void scheduleRenewal(Lease lease) {
        if (!lease.renewable()) {
            return;
        }
        lease.nextRenewal(timer.schedule(() -> {
            renewSoon(lease);
            scheduleRenewal(lease);
        }, renewalNanos));
    }

    private void renewSoon(Lease lease) {
        if (renewalsPaused || !lease.renewable()) {
            return;
        }
        try {
            io.execute(() -> renew(lease));
        } catch (RuntimeException rejected) {
            LOG.debug("renewal of {} not scheduled: {}", lease.key, rejected.toString());
        }
    }

    /** Renews on the calling (io) thread; returns whether Redis confirmed the lease is still ours. */
    private boolean renew(Lease lease) {
        long sent = ticker.nanos();
        try {
            Object ok = RENEW.run(client, List.of(RedisScripts.lockKey(lease.key),
                    RedisScripts.holderKey(lease.key)), List.of(lease.owner, Long.toString(leaseMillis), markerTtlMillis));
            if (Long.valueOf(1).equals(ok)) {
                lease.extendTo(sent + safeNanos);
                return true;
            }
            if (lease.markLost(true)) {
                LOG.warn("lease on {} was lost: the key expired or changed owner", lease.key);
            }
            return false;
        } catch (JedisException e) {
            // Not lost yet: the watchdog declares it lost at the deadline unless a later renewal succeeds.
            LOG.debug("renewal of {} failed: {}", lease.key, e.toString());
            return false;
        }
    }

    /** Declares the lease lost when its deadline passes; re-arms itself while renewals move it. */
    private void watch(Lease lease) {
        if (!lease.renewable() || lease.isLost()) {
            return;
        }
        long remaining = lease.deadlineNanos() - ticker.nanos();
        if (remaining <= 0) {
            if (lease.markLost(false)) {
                LOG.warn("lease on {} passed its deadline without a successful renewal", lease.key);
            }
            return;
        }
        try {
            timer.schedule(() -> watch(lease), remaining);
        } catch (RuntimeException rejected) {
            LOG.debug("watchdog for {} not scheduled: {}", lease.key, rejected.toString());
        }
    }

    /** Returns how many epochs (of {@link EpochKeys#scopes()}) this instance has seen (for tests). */
    int epochsSeen() {
        int seen = 0;
        for (int scope = 0; scope < firstEpochs.length(); scope++) {
            seen += firstEpochs.get(scope) == 0 ? 0 : 1;
        }
        return seen;
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

    LockTimer timer() {
        return timer;
    }

    Ticker ticker() {
        return ticker;
    }
}
