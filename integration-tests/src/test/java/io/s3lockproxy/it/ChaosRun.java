package io.s3lockproxy.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One chaos run on a started cluster: a fresh counter object, writers on every instance and a
 * nemesis until the load time is over, then every fault healed, a settle period, and the check.
 */
final class ChaosRun {
    static final String KEY = "chaos/counter.json";
    /** After the load: lets resumed holders, restarted instances and leases run out before the check. */
    private static final Duration SETTLE = Duration.ofSeconds(2);
    /** How long writers may still take after the deadline: their last op may wait for a lock and its answer. */
    private static final Duration WRITER_GRACE = ChaosTarget.ANSWER_TIMEOUT.multipliedBy(2);
    /** How long the nemesis may still take after the deadline: its last fault may restart an instance. */
    private static final Duration NEMESIS_GRACE = Duration.ofSeconds(60);

    /**
     * @param mode               how the run is labelled ({@code lock.mode}, plus any variant)
     * @param backend            what the proxies forward to, for the summary
     * @param writersPerInstance client threads on each instance
     * @param load               how long writers and nemesis run
     * @param faults             what the nemesis may inject
     */
    record Settings(String mode, String backend, int writersPerInstance, Duration load, Set<ChaosFault> faults,
                    long seed, long leaseMs) {
    }

    /**
     * The report, what the nemesis did (its event lines, and what stopped it early, if anything),
     * whether the recorder saw the counter idle before the check, and how long the writers and
     * the nemesis ran on after the deadline.
     */
    record Result(ChaosReport report, List<String> nemesisEvents, Throwable nemesisFailure, boolean settled,
                  Duration drain) {
    }

    private ChaosRun() {
    }

    static Result run(LockingCluster cluster, Settings settings) throws InterruptedException {
        String bucket = cluster.newBucket();
        try (ChaosTarget target = new ChaosTarget(cluster, bucket, KEY, settings.writersPerInstance())) {
            target.create();
            ChaosHistory history = new ChaosHistory();
            Random seeds = new Random(settings.seed());
            long deadline = System.nanoTime() + settings.load().toNanos();

            List<Thread> writers = new ArrayList<>();
            for (int instance = 0; instance < target.instances(); instance++) {
                for (int w = 0; w < settings.writersPerInstance(); w++) {
                    String name = "w" + instance + w;
                    writers.add(new Thread(new ChaosWriter(target, history, instance, name, seeds.nextLong(), deadline),
                            "chaos-writer-" + name));
                }
            }
            ChaosNemesis nemesis = new ChaosNemesis(target, history, settings.faults(), seeds.nextLong(), deadline,
                    settings.leaseMs());
            Thread nemesisThread = new Thread(nemesis, "chaos-nemesis");
            writers.forEach(Thread::start);
            nemesisThread.start();

            joinBy(nemesisThread, deadline + NEMESIS_GRACE.toNanos());
            for (Thread writer : writers) {
                joinBy(writer, deadline + WRITER_GRACE.toNanos());
            }
            Duration drain = Duration.ofNanos(Math.max(0, System.nanoTime() - deadline));

            Thread.sleep(SETTLE.toMillis());
            boolean settled = cluster.recorder.awaitIdle(target.path(), Duration.ofSeconds(15));
            ChaosFindings findings = ChaosChecker.check(history.all(), target.storedBody(),
                    cluster.recorder.completedWrites(target.path()));
            ChaosReport report = new ChaosReport(settings.mode(), settings.backend(), settings.seed(), history.all(),
                    nemesis.injected(), findings);
            return new Result(report, nemesis.events(), nemesis.failure(), settled, drain);
        } finally {
            cluster.removeBucket(bucket);
        }
    }

    /** Waits for {@code thread} to end until {@code deadlineNanos} (System.nanoTime); fails with its stack if it has not. */
    private static void joinBy(Thread thread, long deadlineNanos) throws InterruptedException {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        if (thread.isAlive()) {
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement e : thread.getStackTrace()) {
                stack.append("\n    at ").append(e);
            }
            thread.interrupt();
            throw new AssertionError(thread.getName() + " still running well after the end of the load" + stack);
        }
    }
}
