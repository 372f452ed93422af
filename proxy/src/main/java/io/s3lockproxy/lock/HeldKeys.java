package io.s3lockproxy.lock;

/**
 * The locks one request holds, from a successful {@link LockService#acquire} until {@link #release()}.
 *
 * <p>Thread-safe: any thread may call any method.
 */
public interface HeldKeys {

    /**
     * Returns the fencing token issued for {@code key} by this acquisition.
     *
     * <p>Tokens for one key increase strictly in acquisition order (with Redis: across all
     * instances sharing it, also after the lock key or the whole database was lost; without Redis:
     * within this process).
     *
     * @throws IllegalArgumentException if {@code key} is not one of the keys this handle holds
     */
    long fencingToken(LockKey key);

    /**
     * Returns whether the exclusion of this handle was lost while it was held: a Redis lease
     * expired, was taken over, or could not be renewed before the holder's own deadline.
     */
    boolean isLost();

    /**
     * Returns whether every key is also held through the shared Redis (false when no Redis is
     * configured, or when Redis was down and {@code onRedisDown: conditional} let the request
     * proceed with local exclusion only: the write must then be fenced by storage conditions).
     */
    boolean distributed();

    /**
     * Registers a callback run once if the lease is lost while held; it runs at once (on the
     * calling thread) if the loss already happened, and never after {@link #release()}.
     * Callbacks run on a lock-internal thread and must not block.
     */
    void onLost(Runnable callback);

    /**
     * Releases every key: the Redis leases first, then the local locks.
     *
     * @throws IllegalStateException when called a second time (the release-once contract)
     */
    void release();
}
