package io.s3lockproxy.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs one operation from N threads for a warm-up and then a measured period, and summarizes the latencies. */
final class Workload {

    /** One call of the measured operation; {@code thread} and {@code iteration} let it choose keys. */
    interface Operation {
        void run(int thread, int iteration);
    }

    /**
     * Told when the measured period begins and when it ends, after the warm-up (e.g. to read a
     * process's CPU time over exactly the requests that are counted).
     */
    interface Period {
        Period NONE = new Period() {
            @Override
            public void begin() {
            }

            @Override
            public void end() {
            }
        };

        void begin();

        void end();
    }

    record Result(int ops, double opsPerSecond, double p50Ms, double p99Ms, int errors) {
    }

    private Workload() {
    }

    static Result measure(int threads, int warmupSeconds, int seconds, Operation op) throws InterruptedException {
        return measure(threads, warmupSeconds, seconds, op, Period.NONE);
    }

    static Result measure(int threads, int warmupSeconds, int seconds, Operation op, Period period)
            throws InterruptedException {
        AtomicBoolean recording = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        List<long[]> perThread = new ArrayList<>();
        int[] counts = new int[threads];
        int[] errors = new int[threads];
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            long[] samples = new long[1 << 20];
            perThread.add(samples);
            int id = t;
            Thread worker = new Thread(() -> {
                int i = 0;
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            op.run(id, i++);
                        } catch (RuntimeException e) {
                            if (recording.get()) {
                                errors[id]++;
                            }
                            continue;
                        }
                        long took = System.nanoTime() - start;
                        if (recording.get() && counts[id] < samples.length) {
                            samples[counts[id]++] = took;
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "load-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        Thread.sleep(warmupSeconds * 1000L);
        period.begin();
        recording.set(true);
        long begin = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        recording.set(false);
        long elapsed = System.nanoTime() - begin;
        period.end();
        stop.set(true);
        done.await();
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int pos = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(perThread.get(t), 0, all, pos, counts[t]);
            pos += counts[t];
        }
        Arrays.sort(all);
        return new Result(total, total / (elapsed / 1e9), percentile(all, 0.50), percentile(all, 0.99),
                Arrays.stream(errors).sum());
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
