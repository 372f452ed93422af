package io.s3lockproxy.lock;

/** A lock could not be acquired; the request must not proceed and the client may retry. */
public abstract class LockException extends RuntimeException {

    private final LockKey key;

    LockException(LockKey key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** Returns the key whose acquisition failed. */
    public LockKey key() {
        return key;
    }

    /** Returns how many seconds a client should wait before retrying (for Retry-After). */
    public abstract long retryAfterSeconds();
}
