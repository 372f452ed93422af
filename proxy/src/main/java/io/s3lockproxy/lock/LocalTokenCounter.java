package io.s3lockproxy.lock;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Fencing tokens without Redis: strictly increasing within this process, and seeded from wall
 * time in microseconds so that a restarted process continues above the tokens it issued before
 * (as long as the wall clock does not step back and fewer than a million tokens a second are issued).
 */
final class LocalTokenCounter {

    private final AtomicLong last = new AtomicLong();
    private final LongSupplier wallMicros;

    LocalTokenCounter(LongSupplier wallMicros) {
        this.wallMicros = wallMicros;
    }

    /** Returns a fence whose tokens start at the current wall time in microseconds. */
    static LocalTokenCounter systemClock() {
        return new LocalTokenCounter(() -> System.currentTimeMillis() * 1000);
    }

    /** Returns the next token, greater than every token returned before. */
    long next() {
        long floor = wallMicros.getAsLong();
        return last.updateAndGet(previous -> Math.max(previous + 1, floor));
    }
}
