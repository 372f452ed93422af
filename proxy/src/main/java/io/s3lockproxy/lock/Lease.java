package io.s3lockproxy.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Redis lease held by one acquisition: its owner token, fencing token, and the holder's own
 * monotonic deadline, after which the holder must assume the lease may have expired in Redis.
 */
final class Lease {

    final LockKey key;
    final String owner;
    final long fencingToken;
    /** How many SET NX attempts the acquisition needed (more than one: it waited). */
    final int attempts;
    private final CompletableFuture<Void> lost = new CompletableFuture<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile long deadlineNanos;
    private volatile ScheduledFuture<?> renewals;

    Lease(LockKey key, String owner, long fencingToken, int attempts, long deadlineNanos) {
        this.key = key;
        this.owner = owner;
        this.fencingToken = fencingToken;
        this.attempts = attempts;
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

    void renewals(ScheduledFuture<?> task) {
        this.renewals = task;
    }

    /** Returns a future completed once, on the thread that detected it, if the lease is lost while held. */
    CompletableFuture<Void> lostSignal() {
        return lost;
    }

    /** Returns whether the lease was declared lost. */
    boolean isLost() {
        return lost.isDone();
    }

    /** Returns whether release has begun. */
    boolean isReleased() {
        return released.get();
    }

    /** Declares the lease lost unless it was released; returns whether this call did it. */
    boolean markLost() {
        if (released.get()) {
            return false;
        }
        stopRenewals();
        return lost.complete(null);
    }

    /** Marks the lease released and stops renewals; returns false if it already was. */
    boolean markReleased() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        stopRenewals();
        return true;
    }

    private void stopRenewals() {
        ScheduledFuture<?> task = renewals;
        if (task != null) {
            task.cancel(false);
        }
    }
}
