package io.s3lockproxy.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LocalKeyQueuesTest {

    private static final LockKey KEY = new LockKey("bucket", "key");
    private static final long FAR = TimeUnit.HOURS.toNanos(1);
    private static final int MAX_WAITERS = 25;

    private final ManualTime time = new ManualTime();
    private final LocalKeyQueues queues = new LocalKeyQueues(time, time, MAX_WAITERS);

    private long deadline(long nanosFromNow) {
        return time.nanos() + nanosFromNow;
    }

    @Test
    void waitersAreGrantedInArrivalOrder() throws Exception {
        LocalKeyQueues.Permit first = queues.acquire(KEY, deadline(FAR)).get(1, TimeUnit.SECONDS);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            done.add(queues.acquire(KEY, deadline(FAR)).thenAccept(p -> {
                order.add(n);
                queues.release(p);
            }));
        }
        assertThat(order).isEmpty();
        queues.release(first);
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
    }

    @Test
    void aHandOffCompletesTheNextWaiterOnTheReleasingThreadAndAChainOfReleasesInCallbacksDoesNotNest() throws Exception {
        int chain = 100_000;
        LocalKeyQueues big = new LocalKeyQueues(time, time, chain);
        LocalKeyQueues.Permit first = big.acquire(KEY, deadline(FAR)).get(1, TimeUnit.SECONDS);
        Thread releaser = Thread.currentThread();
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger onOtherThreads = new AtomicInteger();
        int[] depths = new int[2];
        for (int i = 0; i < chain; i++) {
            int n = i;
            big.acquire(KEY, deadline(FAR)).thenAccept(p -> {
                granted.incrementAndGet();
                if (Thread.currentThread() != releaser) {
                    onOtherThreads.incrementAndGet();
                }
                if (n == 1 || n == chain - 1) {
                    depths[n == 1 ? 0 : 1] = Thread.currentThread().getStackTrace().length;
                }
                big.release(p);
            });
        }

        big.release(first);

        assertThat(granted).hasValue(chain);
        assertThat(onOtherThreads).hasValue(0);
        assertThat(depths[1]).as("stack depth of the last waiter against the second").isEqualTo(depths[0]);
        assertThat(big.activeKeys()).isZero();
    }

    @Test
    void aKeyWithItsMaximumOfWaitersRefusesTheNextAtOnceAndTakesWaitersAgainWhenOneLeaves() throws Exception {
        LocalKeyQueues.Permit holder = queues.acquire(KEY, deadline(FAR)).get(1, TimeUnit.SECONDS);
        List<CompletableFuture<LocalKeyQueues.Permit>> waiting = new ArrayList<>();
        for (int i = 0; i < MAX_WAITERS; i++) {
            waiting.add(queues.acquire(KEY, deadline(FAR)));
        }
        CompletableFuture<LocalKeyQueues.Permit> refused = queues.acquire(KEY, deadline(FAR));
        CompletableFuture<LocalKeyQueues.Permit> otherKey = queues.acquire(new LockKey("bucket", "other"), deadline(FAR));

        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::join).hasCauseInstanceOf(LockQueueFullException.class)
                .hasMessageContaining(MAX_WAITERS + " writers already queue");
        assertThat(otherKey).isCompleted();
        assertThat(queues.waiters(KEY)).isEqualTo(MAX_WAITERS);

        queues.release(holder);
        LocalKeyQueues.Permit next = waiting.get(0).get(1, TimeUnit.SECONDS);
        CompletableFuture<LocalKeyQueues.Permit> admitted = queues.acquire(KEY, deadline(FAR));
        assertThat(admitted).isNotDone();
        assertThat(queues.waiters(KEY)).isEqualTo(MAX_WAITERS);
        queues.release(next);
    }

    @Test
    void onlyOneHolderPerKeyUnder16ThreadsTimes1000Acquisitions() throws Exception {
        int threads = 16;
        int rounds = 1000;
        LockKey[] keys = {KEY, new LockKey("bucket", "other")};
        AtomicInteger[] inFlight = {new AtomicInteger(), new AtomicInteger()};
        AtomicInteger maxInFlight = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int k = t % 2;
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        LocalKeyQueues.Permit p = queues.acquire(keys[k], deadline(FAR)).get(10, TimeUnit.SECONDS);
                        maxInFlight.accumulateAndGet(inFlight[k].incrementAndGet(), Math::max);
                        Thread.onSpinWait();
                        inFlight[k].decrementAndGet();
                        queues.release(p);
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxInFlight.get()).isEqualTo(1);
        assertThat(queues.activeKeys()).isZero();
    }

    @Test
    void idleKeysLeaveTheMap() throws Exception {
        for (int i = 0; i < 10_000; i++) {
            LocalKeyQueues.Permit p = queues.acquire(new LockKey("b", "k" + i), deadline(FAR)).get(1, TimeUnit.SECONDS);
            queues.release(p);
        }
        LocalKeyQueues.Permit held = queues.acquire(KEY, deadline(FAR)).get(1, TimeUnit.SECONDS);
        assertThat(queues.activeKeys()).isEqualTo(1);
        queues.release(held);
        assertThat(queues.activeKeys()).isZero();
    }

    @Test
    void waiterTimesOutAtItsDeadlineAndLeavesTheQueue() throws Exception {
        LocalKeyQueues.Permit holder = queues.acquire(KEY, deadline(FAR)).get(1, TimeUnit.SECONDS);
        CompletableFuture<LocalKeyQueues.Permit> waiter = queues.acquire(KEY, deadline(TimeUnit.MILLISECONDS.toNanos(200)));
        time.advance(Duration.ofMillis(199));
        assertThat(waiter).as("still waiting 1 ms before its deadline").isNotDone();
        time.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> waiter.get(0, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("200");
        // The timed-out waiter is gone: releasing the holder leaves the key idle.
        queues.release(holder);
        assertThat(queues.activeKeys()).isZero();
    }

    @Test
    void releaseByANonHolderThrows() throws Exception {
        LocalKeyQueues.Permit holder = queues.acquire(KEY, deadline(FAR)).get(1, TimeUnit.SECONDS);
        queues.release(holder);
        assertThatThrownBy(() -> queues.release(holder)).isInstanceOf(IllegalStateException.class);
    }
}
