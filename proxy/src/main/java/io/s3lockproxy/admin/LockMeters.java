package io.s3lockproxy.admin;

import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.metrics.ProxyMetrics;
import java.util.function.LongSupplier;

/** Binds every figure of the lock engine into the registry; values are read at scrape time. */
public final class LockMeters {
    private LockMeters() {
    }

    public static void bind(ProxyMetrics m, LockMetrics lock, LongSupplier fenceRejections) {
        m.functionTimer("s3lp.lock.wait", "Time successful lock acquisitions waited (count = acquisitions)",
                lock::acquisitions, lock::waitMillisTotal);
        m.gauge("s3lp.lock.wait.max", "Longest wait of one successful acquisition since start", "seconds",
                () -> lock.waitMillisMax() / 1000.0);
        m.functionTimer("s3lp.lock.hold", "Time released lock handles were held (count = releases)",
                lock::releases, lock::holdMillisTotal);
        m.gauge("s3lp.lock.hold.max", "Longest time one handle was held since start", "seconds",
                () -> lock.holdMillisMax() / 1000.0);
        m.functionCounter("s3lp.lock.contended", "Acquisitions that had to wait for another holder",
                lock::contendedAcquisitions);
        m.functionCounter("s3lp.lock.timeouts", "Acquisitions that gave up after lock.waitMs (503 SlowDown)",
                lock::timeouts);
        m.functionCounter("s3lp.lock.queue.full", "Acquisitions refused because lock.maxWaitersPerKey writers"
                + " queued for the key already (503 SlowDown)", lock::queueFullRefusals);
        m.functionCounter("s3lp.lock.leases.lost", "Held Redis leases that expired or were taken over while held",
                lock::leasesLost);
        m.functionCounter("s3lp.lock.leases.lost.in.doubt",
                "Leases lost after their write's end had gone upstream (the write stayed locked until answered)",
                lock::leasesLostInDoubt);
        m.functionCounter("s3lp.lock.commits.refused",
                "Writes stopped at their commit point: a lease lost or too close to its end (503, nothing written)",
                lock::commitsRefused);
        m.functionCounter("s3lp.lock.settles.before.write",
                "Acquisitions that waited lock.settleMs because the key's previous holder may still have a write landing",
                lock::settledBeforeFirstWrite);
        m.functionCounter("s3lp.lock.settles.after.unknown",
                "Writes whose outcome stayed unknown, their keys kept locked for lock.settleMs",
                lock::settledAfterUnknownOutcome);
        m.functionCounter("s3lp.lock.fence.rejections",
                "Writes the storage refused on a condition the proxy added (a lapsed lock kept out)",
                fenceRejections::getAsLong);
        m.functionCounter("s3lp.lock.redis.unavailable", "Acquisitions that found Redis unreachable",
                lock::redisUnavailableCount);
        m.functionCounter("s3lp.lock.degraded.local",
                "Acquisitions that went on with local locks only because Redis was down (onRedisDown: conditional)",
                lock::degradedToLocalCount);
        m.gauge("s3lp.lock.held", "Keys held through this instance now", null, lock::heldLocks);
        m.gauge("s3lp.lock.waiters", "Acquisitions waiting now", null, lock::waiters);
    }
}
