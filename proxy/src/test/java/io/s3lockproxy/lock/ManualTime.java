package io.s3lockproxy.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Ticker} and a {@link LockTimer} on one hand-moved clock: {@link #advance} moves the time
 * and runs, on the calling thread and in deadline order, every task that has come due.
 */
final class ManualTime implements Ticker, LockTimer {

    private record Task(long dueNanos, long seq, Runnable action, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::seq));
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public synchronized long nanos() {
        return now;
    }

    @Override
    public synchronized Runnable schedule(Runnable task, long delayNanos) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now + Math.max(0, delayNanos), seq++, task, cancelled));
        return () -> {
            synchronized (ManualTime.this) {
                cancelled[0] = true;
            }
        };
    }

    /** Moves the clock forward by {@code step}, running every task due by then. */
    void advance(Duration step) {
        long target;
        synchronized (this) {
            target = now + step.toNanos();
        }
        while (true) {
            List<Runnable> due = new ArrayList<>();
            synchronized (this) {
                Task next = tasks.peek();
                if (next == null || next.dueNanos() > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.dueNanos());
                if (!next.cancelled()[0]) {
                    due.add(next.action());
                }
            }
            due.forEach(Runnable::run);
        }
    }

    /** Returns how many tasks are scheduled and not cancelled. */
    synchronized int pending() {
        return (int) tasks.stream().filter(t -> !t.cancelled()[0]).count();
    }
}
