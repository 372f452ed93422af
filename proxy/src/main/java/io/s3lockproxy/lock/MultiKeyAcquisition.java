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
 * <p>Steps are chained on completion, never waited for, so no thread blocks; free local locks
 * without Redis are taken in a loop, so a request with a thousand keys does not grow the stack.
 * On failure everything taken so far is released (leases first) and the future fails with the
 * cause. When a lease was taken over from a holder whose write may still be landing, the handle
 * is handed over only after the settle period.
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
        while (permits.size() < keys.size()) {
            LockKey key = keys.get(permits.size());
            CompletableFuture<LocalKeyQueues.Permit> localLock = lock.local().acquire(key, deadlineNanos);
            if (localLock.isDone() && !localLock.isCompletedExceptionally() && !needsLease()) {
                permits.add(localLock.join());
                tokens.put(key, lock.tokenCounter().next());
                continue;
            }
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
            return;
        }
        succeed();
    }

    private boolean needsLease() {
        return lock.redis() != null && !redisDown;
    }

    private void afterLocal(LockKey key) {
        if (!needsLease()) {
            tokens.put(key, lock.tokenCounter().next());
            next();
            return;
        }
        lock.redis().acquire(key, owner, deadlineNanos).whenComplete((lease, redisFailure) -> {
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
        Grant grant = new Grant(lock, owner, tokens, permits, leases, !redisDown && lock.redis() != null, now);
        lock.metrics().waiting(-1);
        lock.metrics().acquired(keys.size(), now - startNanos, contended);
        if (grant.predecessorInDoubt()) {
            lock.timer().schedule(() -> future.complete(grant), lock.settleNanos());
            lock.metrics().settleBeforeFirstWrite();
        } else {
            future.complete(grant);
        }
    }

    private void fail(Throwable failure) {
        Throwable cause = unwrap(failure);
        lock.metrics().waiting(-1);
        if (cause instanceof LockTimeoutException) {
            lock.metrics().timedOut();
        } else if (cause instanceof LockQueueFullException) {
            lock.metrics().queueFull();
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
