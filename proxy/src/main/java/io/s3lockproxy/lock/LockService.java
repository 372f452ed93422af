package io.s3lockproxy.lock;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Write serialization per (bucket, key): local FIFO locks first, then the shared Redis lease.
 *
 * <p>Threading: {@link #acquire} never blocks the calling thread (it may be a Netty event loop).
 * The returned future may already be complete when an uncontended key needs no Redis round trip;
 * otherwise it completes on the thread that released the key before it (a grant handed on), on
 * a lock-internal thread ({@code s3lp-lock-*} for Redis replies, {@code s3lp-lock-timer} for
 * timeouts). Callers hop back to their own thread themselves and must not block inside completion
 * callbacks: a releaser runs the next holder's callback.
 */
public interface LockService extends AutoCloseable {

    /**
     * Returns a future of the handle holding every key in {@code keys}.
     *
     * <p>Keys are de-duplicated and acquired in their natural order, all or nothing: on failure
     * whatever was taken is released again. The future fails with {@link LockTimeoutException}
     * when the keys could not be acquired within the configured wait, and with
     * {@link LockUnavailableException} when Redis is configured, unreachable, and the
     * configuration says to fail closed.
     *
     * @param keys      one or more keys
     * @param requestId the request's id, part of the Redis owner token (for diagnosis)
     */
    CompletableFuture<HeldKeys> acquire(List<LockKey> keys, String requestId);

    /**
     * Returns every key held through this instance right now (a consistent view per handle, not
     * across handles); cheap, thread-safe, never blocks on Redis.
     */
    default List<LockSnapshot> held() {
        return List.of();
    }

    /** Returns the id of this proxy instance, as shown in {@link LockSnapshot#instanceId()}. */
    String instanceId();

    /**
     * Returns null when no Redis is configured or Redis answers PING, else a short description of
     * the problem. Blocks for up to the Redis timeout: call it off event loops.
     */
    default String redisProblem() {
        return null;
    }

    /**
     * Releases every handle still held (their Redis leases first), stops background work
     * (renewals, the release subscriber) and closes the Redis client.
     */
    @Override
    void close();
}
