package io.s3lockproxy.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Latency of several targets measured request by request in turn from one thread: target A, B, C,
 * then C, B, A, and so on. A difference of a fraction of a millisecond between two targets drowns
 * in what this machine does from one measured row to the next (a row may run at half the speed of
 * the one before); interleaved, every target sees the same moments.
 */
final class Interleaved {

    /** Writes request {@code i} through one target. */
    interface Request {
        void send(int i) throws Exception;
    }

    record Latency(String target, int requests, double p50Ms, double p90Ms) {
    }

    private Interleaved() {
    }

    /** Sends {@code warmup} unmeasured, then {@code requests} measured requests through each of {@code targets}. */
    static List<Latency> measure(List<String> names, List<Request> targets, int warmup, int requests) throws Exception {
        long[][] nanos = new long[targets.size()][requests];
        for (int i = 0; i < warmup + requests; i++) {
            for (int k = 0; k < targets.size(); k++) {
                int t = i % 2 == 0 ? k : targets.size() - 1 - k;
                long start = System.nanoTime();
                targets.get(t).send(i);
                if (i >= warmup) {
                    nanos[t][i - warmup] = System.nanoTime() - start;
                }
            }
        }
        List<Latency> result = new ArrayList<>();
        for (int t = 0; t < targets.size(); t++) {
            long[] sorted = nanos[t].clone();
            Arrays.sort(sorted);
            result.add(new Latency(names.get(t), requests, sorted[requests / 2] / 1e6, sorted[requests * 9 / 10] / 1e6));
        }
        return result;
    }
}
