package io.s3lockproxy.lock;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link HeldKeys} granted by {@link TwoLevelLockService}: tokens, leases, commit checks, release-once. */
final class Grant implements HeldKeys {

    private static final Logger LOG = LoggerFactory.getLogger(Grant.class);

    private final TwoLevelLockService owner;
    /** The request id part of the owner token {@code uuid:requestId}. */
    private final String requestId;
    private final Map<LockKey, Long> tokens;
    private final List<LocalKeyQueues.Permit> permits;
    private final List<Lease> leases;
    private final boolean distributed;
    private final long acquiredNanos;
    /** Set by the first release request (the contract); the keys may stay held through a settle period. */
    private final AtomicBoolean releaseAsked = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final CompletableFuture<Void> lost = new CompletableFuture<>();
    private volatile boolean inDoubt;

    Grant(TwoLevelLockService owner, String ownerToken, Map<LockKey, Long> tokens, List<LocalKeyQueues.Permit> permits,
          List<Lease> leases, boolean distributed, long acquiredNanos) {
        this.owner = owner;
        this.requestId = ownerToken.substring(ownerToken.indexOf(':') + 1);
        this.tokens = Map.copyOf(tokens);
        this.permits = List.copyOf(permits);
        this.leases = List.copyOf(leases);
        this.distributed = distributed;
        this.acquiredNanos = acquiredNanos;
        for (Lease lease : this.leases) {
            lease.lostSignal().thenRun(this::leaseLost);
        }
        owner.track(this);
    }

    private void leaseLost() {
        if (released.get() || !lost.complete(null)) {
            return;
        }
        owner.metrics().leaseLost();
        if (inDoubt) {
            owner.metrics().leaseLostInDoubt();
            LOG.warn("request {}: a lease of {} was lost while its write was in doubt at the upstream; the keys stay"
                    + " held until the upstream answers", requestId, tokens.keySet());
        }
    }

    @Override
    public long fencingToken(LockKey key) {
        Long token = tokens.get(key);
        if (token == null) {
            throw new IllegalArgumentException("not held by this handle: " + key);
        }
        return token;
    }

    @Override
    public long previousToken(LockKey key) {
        fencingToken(key);
        for (Lease lease : leases) {
            if (lease.key.equals(key)) {
                return lease.previousToken;
            }
        }
        return 0;
    }

    @Override
    public boolean isLost() {
        return lost.isDone();
    }

    @Override
    public boolean distributed() {
        return distributed;
    }

    @Override
    public void onLost(Runnable callback) {
        lost.thenRun(() -> {
            if (!releaseAsked.get()) {
                callback.run();
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> confirm() {
        if (leases.isEmpty()) {
            return CompletableFuture.completedFuture(true);
        }
        RedisLease redis = owner.redis();
        CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
        for (Lease lease : leases) {
            all = all.thenCombine(redis.confirm(lease), Boolean::logicalAnd);
        }
        return all.thenApply(ok -> {
            if (!ok) {
                owner.metrics().commitRefused();
            }
            return ok;
        });
    }

    @Override
    public boolean canCommit() {
        boolean ok = !isLost();
        long now = owner.ticker().nanos();
        for (int i = 0; ok && i < leases.size(); i++) {
            ok = leases.get(i).deadlineNanos() - now >= owner.commitMarginNanos();
        }
        if (!ok) {
            owner.metrics().commitRefused();
        }
        return ok;
    }

    @Override
    public void commitInDoubt() {
        inDoubt = true;
    }

    @Override
    public void release() {
        if (!releaseAsked.compareAndSet(false, true)) {
            throw new IllegalStateException("lock handle for " + tokens.keySet() + " released twice");
        }
        releaseNow();
    }

    @Override
    public void releaseAfterSettle() {
        if (!releaseAsked.compareAndSet(false, true)) {
            throw new IllegalStateException("lock handle for " + tokens.keySet() + " released twice");
        }
        owner.metrics().settleAfterUnknownOutcome();
        owner.timer().schedule(this::releaseNow, owner.settleNanos());
    }

    /** Releases unless already released (shutdown, or the end of a settle period); returns whether this call did. */
    boolean releaseNow() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        releaseAsked.set(true);
        owner.untrack(this);
        owner.metrics().released(tokens.size(), owner.ticker().nanos() - acquiredNanos);
        owner.releaseAll(permits, leases);
        return true;
    }

    /**
     * Gives up the keys on shutdown without releasing their Redis leases when this holder's write
     * may still land (its end went upstream and no answer came): the leases expire and their holder
     * markers make the next writers wait the settle period. Returns whether it applied.
     */
    boolean leaveToExpireIfInDoubt() {
        if (!inDoubt || !released.compareAndSet(false, true)) {
            return false;
        }
        releaseAsked.set(true);
        owner.untrack(this);
        owner.metrics().released(tokens.size(), owner.ticker().nanos() - acquiredNanos);
        for (Lease lease : leases) {
            lease.markReleased();
        }
        owner.releaseLocal(permits);
        return true;
    }

    /** Returns whether a key's previous holder may still have a write landing (see {@link Lease#predecessorInDoubt}). */
    boolean predecessorInDoubt() {
        for (Lease lease : leases) {
            if (lease.predecessorInDoubt) {
                return true;
            }
        }
        return false;
    }

    /** Adds one {@link LockSnapshot} per key to {@code out}, unless released. */
    void describe(String instanceId, long nowNanos, List<LockSnapshot> out) {
        if (released.get()) {
            return;
        }
        long ageMillis = (nowNanos - acquiredNanos) / 1_000_000;
        tokens.forEach((key, token) -> out.add(new LockSnapshot(key.bucket(), key.key(), instanceId, requestId, token,
                ageMillis, owner.local().waiters(key), distributed)));
    }

    /** Returns the leases (tests: pause or inspect them). */
    List<Lease> leases() {
        return leases;
    }
}
