package io.s3lockproxy.lock;

import java.util.concurrent.CompletableFuture;

/**
 * The keys one request holds, from a successful {@link LockService#acquire} until it releases them.
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
     * Returns the fencing token of the acquisition of {@code key} right before this one, in any
     * instance, as the shared Redis counted it; 0 when that is not known (local locks only, or Redis
     * had lost the key's counter). Equal to a token this process once got for the key, it proves that
     * no other holder took the key since.
     *
     * @throws IllegalArgumentException if {@code key} is not one of the keys this handle holds
     */
    long previousToken(LockKey key);

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
     * calling thread) if the loss already happened, and never after a release was asked for.
     * Callbacks run on a lock-internal thread and must not block.
     */
    void onLost(Runnable callback);

    /**
     * Asks Redis to confirm, now, that every lease is still this holder's, extending each; completes
     * with false when one is not or Redis cannot be asked. Completes at once without Redis, else on
     * a lock-internal thread. Call it right before a write's commit point, then {@link #canCommit()}.
     */
    CompletableFuture<Boolean> confirm();

    /**
     * Returns whether a write may let the upstream see its end now: no lease was lost, and by this
     * process's own monotonic clock every lease is certainly held for at least the commit margin
     * ({@code lock.commitMarginMs}). Always true with local locks only. Never blocks.
     */
    boolean canCommit();

    /**
     * Says that the upstream has the whole write and its outcome is in doubt until it answers:
     * a lease lost from now on cannot stop the write any more, and is logged and counted as such.
     */
    void commitInDoubt();

    /**
     * Releases every key: the Redis leases first, then the local locks.
     *
     * @throws IllegalStateException when a release was already asked for (the release-once contract)
     */
    void release();

    /**
     * Keeps every key, renewing its lease, for the settle period ({@code lock.settleMs}), then
     * releases it: the outcome of this holder's write is unknown and a late commit may still land
     * before the next writer reads the key. Counts as the release.
     *
     * @throws IllegalStateException when a release was already asked for
     */
    void releaseAfterSettle();
}
