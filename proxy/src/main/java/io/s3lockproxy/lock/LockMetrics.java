package io.s3lockproxy.lock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Plain counters and gauges of the lock engine, read by the operations endpoints.
 *
 * <p>Counters only grow; gauges ({@link #heldLocks()}, {@link #waiters()}) go up and down.
 * Updates are lock-free and cheap enough for every acquisition.
 */
public final class LockMetrics {

    private final LongAdder acquisitions = new LongAdder();
    private final LongAdder contended = new LongAdder();
    private final LongAdder waitNanosTotal = new LongAdder();
    private final AtomicLong waitNanosMax = new AtomicLong();
    private final LongAdder holdNanosTotal = new LongAdder();
    private final AtomicLong holdNanosMax = new AtomicLong();
    private final LongAdder releases = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder queueFull = new LongAdder();
    private final LongAdder leasesLost = new LongAdder();
    private final LongAdder redisUnavailable = new LongAdder();
    private final LongAdder degradedToLocal = new LongAdder();
    private final LongAdder leasesLostInDoubt = new LongAdder();
    private final LongAdder commitsRefused = new LongAdder();
    private final LongAdder settledBeforeFirstWrite = new LongAdder();
    private final LongAdder settledAfterUnknownOutcome = new LongAdder();
    private final AtomicLong heldLocks = new AtomicLong();
    private final AtomicLong waiters = new AtomicLong();

    void waiting(int delta) {
        waiters.addAndGet(delta);
    }

    void acquired(int keys, long waitNanos, boolean wasContended) {
        acquisitions.increment();
        if (wasContended) {
            contended.increment();
        }
        waitNanosTotal.add(waitNanos);
        waitNanosMax.accumulateAndGet(waitNanos, Math::max);
        heldLocks.addAndGet(keys);
    }

    void released(int keys, long holdNanos) {
        releases.increment();
        holdNanosTotal.add(holdNanos);
        holdNanosMax.accumulateAndGet(holdNanos, Math::max);
        heldLocks.addAndGet(-keys);
    }

    void timedOut() {
        timeouts.increment();
    }

    void queueFull() {
        queueFull.increment();
    }

    void leaseLost() {
        leasesLost.increment();
    }

    void redisUnavailable() {
        redisUnavailable.increment();
    }

    void degradedToLocal() {
        degradedToLocal.increment();
    }

    /** Returns the number of successful acquisitions (one per request, however many keys). */
    public long acquisitions() {
        return acquisitions.sum();
    }

    /** Returns the number of acquisitions that had to wait for another holder. */
    public long contendedAcquisitions() {
        return contended.sum();
    }

    /** Returns the total time successful acquisitions waited, in milliseconds. */
    public long waitMillisTotal() {
        return TimeUnit.NANOSECONDS.toMillis(waitNanosTotal.sum());
    }

    /** Returns the longest time one successful acquisition waited, in milliseconds. */
    public long waitMillisMax() {
        return TimeUnit.NANOSECONDS.toMillis(waitNanosMax.get());
    }

    /** Returns the total time released handles were held, in milliseconds. */
    public long holdMillisTotal() {
        return TimeUnit.NANOSECONDS.toMillis(holdNanosTotal.sum());
    }

    /** Returns the longest time one handle was held, in milliseconds. */
    public long holdMillisMax() {
        return TimeUnit.NANOSECONDS.toMillis(holdNanosMax.get());
    }

    /** Returns the number of released handles. */
    public long releases() {
        return releases.sum();
    }

    void leaseLostInDoubt() {
        leasesLostInDoubt.increment();
    }

    void commitRefused() {
        commitsRefused.increment();
    }

    void settleBeforeFirstWrite() {
        settledBeforeFirstWrite.increment();
    }

    void settleAfterUnknownOutcome() {
        settledAfterUnknownOutcome.increment();
    }

    /** Returns the number of leases lost after their write's end had gone upstream (its outcome then in doubt). */
    public long leasesLostInDoubt() {
        return leasesLostInDoubt.sum();
    }

    /** Returns the number of writes stopped at their commit point because a lease was lost or too close to its end. */
    public long commitsRefused() {
        return commitsRefused.sum();
    }

    /** Returns the number of acquisitions that waited the settle period because a predecessor's write may still land. */
    public long settledBeforeFirstWrite() {
        return settledBeforeFirstWrite.sum();
    }

    /** Returns the number of handles kept for the settle period after a write whose outcome stayed unknown. */
    public long settledAfterUnknownOutcome() {
        return settledAfterUnknownOutcome.sum();
    }

    /** Returns the number of acquisitions that ended in {@link LockTimeoutException}. */
    public long timeouts() {
        return timeouts.sum();
    }

    /** Returns the number of acquisitions refused because {@code lock.maxWaitersPerKey} writers queued already. */
    public long queueFullRefusals() {
        return queueFull.sum();
    }

    /** Returns the number of held handles whose Redis lease was lost. */
    public long leasesLost() {
        return leasesLost.sum();
    }

    /** Returns the number of acquisitions that found Redis unreachable. */
    public long redisUnavailableCount() {
        return redisUnavailable.sum();
    }

    /** Returns the number of acquisitions that proceeded with local locks only because Redis was down. */
    public long degradedToLocalCount() {
        return degradedToLocal.sum();
    }

    /** Returns the number of keys currently held through this instance. */
    public long heldLocks() {
        return heldLocks.get();
    }

    /** Returns the number of acquisitions currently waiting. */
    public long waiters() {
        return waiters.get();
    }
}
