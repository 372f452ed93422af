package io.s3lockproxy.lock;

/** A monotonic time source in nanoseconds, injected so tests control deadlines. */
@FunctionalInterface
public interface Ticker {

    /** Returns the current monotonic time in nanoseconds (only differences are meaningful). */
    long nanos();

    /** Returns the ticker backed by {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
