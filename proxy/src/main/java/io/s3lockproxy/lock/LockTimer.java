package io.s3lockproxy.lock;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay on the lock engine's {@link Ticker} time: lease renewals, the
 * lost-lease watchdog, wait deadlines, polls and settle periods. Injected beside the ticker so
 * that tests move time by hand instead of sleeping.
 *
 * <p>Tasks must not block: they only hand work to an executor or complete a future.
 */
@FunctionalInterface
interface LockTimer {

    /** Runs {@code task} once, {@code delayNanos} from now; returns the action that cancels it. */
    Runnable schedule(Runnable task, long delayNanos);

    /** Returns a timer backed by {@code scheduler}, whose clock is {@link System#nanoTime()}. */
    static LockTimer of(ScheduledExecutorService scheduler) {
        return (task, delayNanos) -> {
            ScheduledFuture<?> f = scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }
}
