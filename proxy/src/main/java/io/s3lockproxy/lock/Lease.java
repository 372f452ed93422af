package io.s3lockproxy.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Redis lease held by one acquisition: its owner token, fencing token, and the holder's own
 * monotonic deadline, after which the holder must assume the lease may have expired in Redis.
 */
final class Lease {

    final LockKey key;
    final String owner;
    final long fencingToken;
    /** The token of the key's acquisition before this one, as Redis counted it; 0 when Redis had lost the count. */
    final long previousToken;
    /** How many SET NX attempts the acquisition needed (more than one: it waited). */
    final int attempts;
    /** Whether the previous holder's last write may still be landing (see {@link RedisScripts#ACQUIRE}). */
    final boolean predecessorInDoubt;
    private final CompletableFuture<Void> lost = new CompletableFuture<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile long deadlineNanos;
    /** Set once Redis said the lease is no longer ours: renewing it is pointless from then on. */
    private volatile boolean gone;
    private volatile Runnable cancelRenewal = () -> { };

    Lease(LockKey key, String owner, long fencingToken, long previousToken, int attempts, boolean predecessorInDoubt,
          long deadlineNanos) {
        this.key = key;
        this.owner = owner;
        this.fencingToken = fencingToken;
        this.previousToken = previousToken;
        this.attempts = attempts;
        this.predecessorInDoubt = predecessorInDoubt;
        this.deadlineNanos = deadlineNanos;
    }

    /** Returns the monotonic time until which the lease is certainly still ours. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** Moves the deadline forward after a successful renewal (never backwards). */
    void extendTo(long newDeadlineNanos) {
        if (newDeadlineNanos > deadlineNanos) {
            deadlineNanos = newDeadlineNanos;
        }
    }

    /** Remembers how to cancel the next scheduled renewal. */
    void nextRenewal(Runnable cancel) {
        this.cancelRenewal = cancel;
    }

    /** Returns a future completed once, on the thread that detected it, if the lease is lost while held. */
    CompletableFuture<Void> lostSignal() {
        return lost;
    }

    /** Returns whether the lease was declared lost. */
    boolean isLost() {
        return lost.isDone();
    }

    /** Returns whether renewals should go on: neither released nor known to belong to someone else. */
    boolean renewable() {
        return !released.get() && !gone;
    }

    /**
     * Declares the lease lost unless it was released; returns whether this call did it.
     * {@code gone} says Redis answered that it is no longer ours, which also ends renewals; a lease
     * lost only by its own deadline keeps being renewed, since Redis may still hold it for us.
     */
    boolean markLost(boolean gone) {
        if (released.get()) {
            return false;
        }
        if (gone) {
            this.gone = true;
            cancelRenewal.run();
        }
        return lost.complete(null);
    }

    /** Marks the lease released and stops renewals; returns false if it already was. */
    boolean markReleased() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        cancelRenewal.run();
        return true;
    }
}
