package io.s3lockproxy.lock;

/** Too many writers already queue for a key in this process ({@code lock.maxWaitersPerKey}); answered with 503 SlowDown. */
public final class LockQueueFullException extends LockException {

    /** Creates the exception for {@code key}, behind which {@code waiters} writers queue already. */
    public LockQueueFullException(LockKey key, int waiters) {
        super(key, waiters + " writers already queue for the lock on " + key, null);
    }

    @Override
    public long retryAfterSeconds() {
        return 1;
    }
}
