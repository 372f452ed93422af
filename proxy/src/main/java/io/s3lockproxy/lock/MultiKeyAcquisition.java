package io.s3lockproxy.lock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One request's acquisition of its sorted keys, one key at a time: local lock, then lease.
 *
 * <p>Steps are chained on completion, never waited for, so no thread blocks. On failure
 * everything taken so far is released (leases first) and the future fails with the cause.
 */
final class MultiKeyAcquisition {

    private final TwoLevelLockService lock;
    private final List<LockKey> keys;
    private final String owner;
    private final long startNanos;
    private final long deadlineNanos;
    private final CompletableFuture<HeldKeys> future = new CompletableFuture<>();
    private final List<LocalKeyQueues.Permit> permits = new ArrayList<>();
    private final List<Lease> leases = new ArrayList<>();
    private final Map<LockKey, Long> tokens = new LinkedHashMap<>();
    // Steps run one after another (each starts from the previous one's completion), so these
    // plain fields are handed from thread to thread through the futures' happens-before edges.
    private boolean contended;
    private boolean redisDown;

    MultiKeyAcquisition(TwoLevelLockService lock, List<LockKey> keys, String owner, long startNanos, long deadlineNanos) {
        this.lock = lock;
        this.keys = keys;
        this.owner = owner;
        this.startNanos = startNanos;
        this.deadlineNanos = deadlineNanos;
    }

    CompletableFuture<HeldKeys> start() {
        lock.metrics().waiting(1);
        next();
        return future;
    }

    private void next() {
        int index = permits.size();
        if (index == keys.size()) {
            succeed();
            return;
        }
        LockKey key = keys.get(index);
        CompletableFuture<LocalKeyQueues.Permit> localLock = lock.local().acquire(key, deadlineNanos);
        contended |= !localLock.isDone();
        localLock.whenComplete((permit, failure) -> {
            if (failure != null) {
                fail(failure);
                return;
            }
            permits.add(permit);
            try {
                afterLocal(key);
            } catch (RuntimeException e) {
                fail(e);
            }
        });
    }

    private void afterLocal(LockKey key) {
        RedisLease redis = lock.redis();
        if (redis == null || redisDown) {
            tokens.put(key, lock.tokenCounter().next());
            next();
            return;
        }
        redis.acquire(key, owner, deadlineNanos).whenComplete((lease, redisFailure) -> {
            try {
                leased(key, lease, redisFailure);
            } catch (RuntimeException e) {
                fail(e);
            }
        });
    }

    private void leased(LockKey key, Lease lease, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof LockUnavailableException && lock.degradeWhenRedisDown()) {
            // onRedisDown: conditional: continue with local exclusion only; the handle says so.
            redisDown = true;
            lock.metrics().redisUnavailable();
            lock.metrics().degradedToLocal();
            tokens.put(key, lock.tokenCounter().next());
            next();
            return;
        }
        if (cause != null) {
            fail(cause);
            return;
        }
        leases.add(lease);
        contended |= lease.attempts > 1;
        tokens.put(key, lease.fencingToken);
        next();
    }

    private void succeed() {
        long now = lock.ticker().nanos();
        Grant handle = new Grant(lock, owner, tokens, permits, leases,
                !redisDown && lock.redis() != null, now);
        lock.metrics().waiting(-1);
        lock.metrics().acquired(keys.size(), now - startNanos, contended);
        future.complete(handle);
    }

    private void fail(Throwable failure) {
        Throwable cause = unwrap(failure);
        lock.metrics().waiting(-1);
        if (cause instanceof LockTimeoutException) {
            lock.metrics().timedOut();
        } else if (cause instanceof LockUnavailableException) {
            lock.metrics().redisUnavailable();
        }
        try {
            lock.releaseAll(permits, leases);
        } finally {
            future.completeExceptionally(cause);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
