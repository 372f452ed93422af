package io.s3lockproxy.lock;

/** The configured Redis could not be reached, so no write may proceed (fail closed: 503). */
public final class LockUnavailableException extends LockException {

    /** Creates the exception for {@code key} with the Redis failure as cause. */
    public LockUnavailableException(LockKey key, Throwable cause) {
        super(key, "lock service unavailable for " + key + ": " + cause.getMessage(), cause);
    }

    @Override
    public long retryAfterSeconds() {
        return 2;
    }
}
