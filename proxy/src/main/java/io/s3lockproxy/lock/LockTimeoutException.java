package io.s3lockproxy.lock;

import java.time.Duration;

/** The wait for a key exceeded {@code lock.waitMs}; answered with 503 SlowDown and Retry-After. */
public final class LockTimeoutException extends LockException {

    private final Duration waited;

    /** Creates the exception for {@code key} after {@code waited}. */
    public LockTimeoutException(LockKey key, Duration waited) {
        super(key, "timed out after " + waited.toMillis() + " ms waiting for the lock on " + key, null);
        this.waited = waited;
    }

    /** Returns how long the request waited in total. */
    public Duration waited() {
        return waited;
    }

    @Override
    public long retryAfterSeconds() {
        return 1;
    }
}
