package io.s3lockproxy.lock;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** The handle returned by {@link LockingKeyLock}: held keys, their tokens, loss and release-once. */
final class LockingHandle implements LockHandle {

    private final LockingKeyLock owner;
    private final Map<LockKey, Long> tokens;
    private final List<LocalStripes.Permit> permits;
    private final List<Lease> leases;
    private final boolean distributed;
    private final long acquiredNanos;
    private final AtomicBoolean released = new AtomicBoolean();
    private final CompletableFuture<Void> lost = new CompletableFuture<>();

    LockingHandle(LockingKeyLock owner, Map<LockKey, Long> tokens, List<LocalStripes.Permit> permits,
                  List<Lease> leases, boolean distributed, long acquiredNanos) {
        this.owner = owner;
        this.tokens = Map.copyOf(tokens);
        this.permits = List.copyOf(permits);
        this.leases = List.copyOf(leases);
        this.distributed = distributed;
        this.acquiredNanos = acquiredNanos;
        for (Lease lease : this.leases) {
            lease.lostSignal().thenRun(this::leaseLost);
        }
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
        if (!released.compareAndSet(false, true)) {
            throw new IllegalStateException("lock handle for " + tokens.keySet() + " released twice");
        }
        owner.metrics().released(tokens.size(), owner.ticker().nanos() - acquiredNanos);
        owner.releaseAll(permits, leases);
    }

    /** Returns the leases (tests: pause or inspect them). */
    List<Lease> leases() {
        return leases;
    }
}
