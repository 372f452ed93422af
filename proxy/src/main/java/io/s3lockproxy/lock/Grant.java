package io.s3lockproxy.lock;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** The handle returned by {@link TwoLevelLockService}: held keys, their tokens, loss and release-once. */
final class Grant implements HeldKeys {

    private final TwoLevelLockService owner;
    /** The request id part of the owner token {@code uuid:requestId}. */
    private final String requestId;
    private final Map<LockKey, Long> tokens;
    private final List<LocalKeyQueues.Permit> permits;
    private final List<Lease> leases;
    private final boolean distributed;
    private final long acquiredNanos;
    private final AtomicBoolean released = new AtomicBoolean();
    private final CompletableFuture<Void> lost = new CompletableFuture<>();

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
        if (!released.get() && lost.complete(null)) {
            owner.metrics().leaseLost();
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
            if (!released.get()) {
                callback.run();
            }
        });
    }

    @Override
    public void release() {
        if (!releaseOnce()) {
            throw new IllegalStateException("lock handle for " + tokens.keySet() + " released twice");
        }
    }

    /** Releases unless already released; returns whether this call did. */
    boolean releaseOnce() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        owner.untrack(this);
        owner.metrics().released(tokens.size(), owner.ticker().nanos() - acquiredNanos);
        owner.releaseAll(permits, leases);
        return true;
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
