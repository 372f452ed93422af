package io.s3lockproxy.it;

import java.io.IOException;
import java.util.Optional;
import java.util.Random;

/**
 * One client thread of a chaos run: read-modify-write increments of the counter through one
 * instance until the deadline, each write conditional on the ETag it read, a new op id for every
 * attempt, and a randomized back-off after anything but 200. A share of the writes is paced: the
 * body goes out in a few slow pieces after {@code 100 Continue}, so the key's lock is held while it
 * streams.
 */
final class ChaosWriter implements Runnable {
    /** Writers stop once the counter reaches this, so that bodies stay below 64 KiB. */
    static final long MAX_COUNT = 4000;
    private static final double PACED_SHARE = 0.25;

    private final ChaosTarget target;
    private final ChaosHistory history;
    private final int instance;
    private final String name;
    private final Random random;
    private final long deadlineNanos;
    private int sequence;
    private int failures;

    /** @param name unique among the run's writers; the prefix of its op ids */
    ChaosWriter(ChaosTarget target, ChaosHistory history, int instance, String name, long seed, long deadlineNanos) {
        this.target = target;
        this.history = history;
        this.instance = instance;
        this.name = name;
        this.random = new Random(seed);
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void run() {
        try {
            while (System.nanoTime() < deadlineNanos) {
                Optional<ChaosTarget.Read> read = target.read(instance);
                if (read.isEmpty()) {
                    backOff();
                    continue;
                }
                if (read.get().counter().count() >= MAX_COUNT) {
                    return;
                }
                String id = name + "-" + ++sequence;
                ChaosOp.Kind kind = random.nextDouble() < PACED_SHARE ? ChaosOp.Kind.PACED : ChaosOp.Kind.SDK;
                int status = kind == ChaosOp.Kind.PACED ? pacedPut(id, read.get()) : target.sdkPut(instance, id, read.get());
                if (status == ChaosTarget.NOT_SENT) {
                    backOff(); // the instance is down: no op happened
                    continue;
                }
                ChaosOp op = ChaosOp.answered(id, instance, kind, read.get().counter(), status);
                history.record(op);
                if (op.outcome() == ChaosOutcome.ACK) {
                    failures = 0;
                } else {
                    backOff();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Head first, then 3–4 body pieces spread over 0.3–1 s once the proxy has said 100 Continue;
     * returns the final status, -1 for none, or {@link ChaosTarget#NOT_SENT}.
     */
    private int pacedPut(String id, ChaosTarget.Read read) throws InterruptedException {
        Optional<SlowPut> opened = target.openPut(instance, id, read);
        if (opened.isEmpty()) {
            return ChaosTarget.NOT_SENT;
        }
        try (SlowPut put = opened.get()) {
            return streamInPieces(put);
        }
    }

    private int streamInPieces(SlowPut put) throws InterruptedException {
        int first;
        try {
            first = put.awaitContinue();
        } catch (IOException e) {
            return -1;
        }
        if (first != 100) {
            return first; // refused (or failed) before the body: 412, 503, …
        }
        int pieces = 3 + random.nextInt(2);
        long gapMs = (300 + random.nextInt(701)) / (pieces - 1);
        int pieceSize = (put.remaining() + pieces - 1) / pieces;
        try {
            for (int i = 0; i < pieces && put.remaining() > 0; i++) {
                if (i > 0) {
                    Thread.sleep(gapMs);
                }
                put.send(pieceSize);
            }
        } catch (IOException e) {
            // the proxy may have answered early and closed: read what it said
        }
        try {
            return put.readStatus();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Randomized exponential back-off: up to 5 ms, doubling per failure in a row, capped at 320 ms. */
    private void backOff() throws InterruptedException {
        failures++;
        Thread.sleep(1 + random.nextInt(5 << Math.min(failures, 6)));
    }
}
