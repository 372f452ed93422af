package io.s3lockproxy.lock;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Level 1: one FIFO lock per key inside this process, whose waiters are futures, not threads.
 *
 * <p>Only the holder of a key's local lock goes on to Redis, so writers queued in one instance
 * cost Redis nothing. Every state change of a key (grant, enqueue, hand-off, timeout) happens
 * inside {@link ConcurrentHashMap#compute} for that key, which holds the map bin only for that
 * O(1) step (O(queue length) to drop a timed-out waiter); nothing waits while holding it and no
 * callback runs inside it. A key's entry is removed in the same step that finds it idle (no holder,
 * no waiter), so the map holds exactly the keys that are held right now.
 *
 * <p>A hand-off completes the next waiter's future on the releasing thread, so a contended key
 * passes from holder to holder without waking another thread: waiters' callbacks only hand work on
 * (to an event loop, or to the Redis executor), they never block. A waiter that releases from its
 * own callback does not nest: its hand-off is queued on the thread and completed after the current
 * one returns, so a chain of any length runs in constant stack depth.
 */
final class LocalKeyQueues {

    /** Hand-offs made on this thread while one of its hand-offs is being completed; completed in order after it. */
    private static final ThreadLocal<ArrayDeque<Permit>> HANDING_OFF = ThreadLocal.withInitial(ArrayDeque::new);

    private final ConcurrentHashMap<LockKey, KeyQueue> queues = new ConcurrentHashMap<>();
    private final LockTimer timer;
    private final Ticker ticker;
    private final int maxWaiters;

    LocalKeyQueues(LockTimer timer, Ticker ticker, int maxWaiters) {
        this.timer = timer;
        this.ticker = ticker;
        this.maxWaiters = maxWaiters;
    }

    /** The local lock on one key for one acquisition; released through {@link #release}. */
    static final class Permit {
        final LockKey key;
        final CompletableFuture<Permit> future = new CompletableFuture<>();
        private final long enqueuedNanos;

        private Permit(LockKey key, long enqueuedNanos) {
            this.key = key;
            this.enqueuedNanos = enqueuedNanos;
        }
    }

    /** The holder and FIFO waiters of one key; touched only inside {@code queues.compute(key)}. */
    private static final class KeyQueue {
        Permit holder;
        final ArrayDeque<Permit> waiting = new ArrayDeque<>(2);
    }

    /**
     * Returns a future of the local lock on {@code key}: already complete when the key is free,
     * otherwise completed on the releasing thread when every earlier waiter has released, or failed
     * with {@link LockTimeoutException} at {@code deadlineNanos} (on the timer's thread). Fails at
     * once with {@link LockQueueFullException} when the key already has its maximum of waiters.
     */
    CompletableFuture<Permit> acquire(LockKey key, long deadlineNanos) {
        Permit permit = new Permit(key, ticker.nanos());
        boolean[] free = new boolean[1];
        int[] full = {-1};
        queues.compute(key, (k, queue) -> {
            if (queue == null) {
                queue = new KeyQueue();
                queue.holder = permit;
                free[0] = true;
            } else if (queue.waiting.size() >= maxWaiters) {
                full[0] = queue.waiting.size();
            } else {
                queue.waiting.addLast(permit);
            }
            return queue;
        });
        if (free[0]) {
            permit.future.complete(permit);
            return permit.future;
        }
        if (full[0] >= 0) {
            permit.future.completeExceptionally(new LockQueueFullException(key, full[0]));
            return permit.future;
        }
        long delay = Math.max(0, deadlineNanos - ticker.nanos());
        Runnable cancelTimeout = timer.schedule(() -> expire(permit), delay);
        permit.future.whenComplete((p, e) -> cancelTimeout.run());
        return permit.future;
    }

    /**
     * Releases {@code permit}'s key and hands it to the next waiter, if any.
     *
     * @throws IllegalStateException if {@code permit} is not the key's current holder
     */
    void release(Permit permit) {
        Permit[] next = new Permit[1];
        queues.compute(permit.key, (k, queue) -> {
            if (queue == null || queue.holder != permit) {
                throw new IllegalStateException("local lock on " + k + " is not held by this permit");
            }
            queue.holder = queue.waiting.pollFirst();
            next[0] = queue.holder;
            return queue.holder == null ? null : queue;
        });
        if (next[0] != null) {
            handOff(next[0]);
        }
    }

    private static void handOff(Permit granted) {
        ArrayDeque<Permit> pending = HANDING_OFF.get();
        pending.addLast(granted);
        if (pending.size() > 1) {
            return;
        }
        Throwable failure = null;
        while (!pending.isEmpty()) {
            Permit next = pending.peekFirst();
            try {
                next.future.complete(next);
            } catch (RuntimeException | Error e) {
                // A callback's exception lands in its own future; this is the VM's (a stack or heap error).
                // The rest are still granted, or their keys would stay held by nobody.
                failure = failure == null ? e : failure;
            }
            pending.pollFirst();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        } else if (failure instanceof Error e) {
            throw e;
        }
    }

    private void expire(Permit permit) {
        boolean[] removed = new boolean[1];
        queues.computeIfPresent(permit.key, (k, queue) -> {
            removed[0] = queue.waiting.remove(permit);
            return queue;
        });
        if (removed[0]) {
            Duration waited = Duration.ofNanos(ticker.nanos() - permit.enqueuedNanos);
            permit.future.completeExceptionally(new LockTimeoutException(permit.key, waited));
        }
    }

    /** Returns how many acquisitions queue for {@code key} behind its holder. */
    int waiters(LockKey key) {
        int[] n = new int[1];
        queues.computeIfPresent(key, (k, queue) -> {
            n[0] = queue.waiting.size();
            return queue;
        });
        return n[0];
    }

    /** Returns the number of keys currently held or waited for (idle keys are not in the map). */
    int activeKeys() {
        return queues.size();
    }
}
