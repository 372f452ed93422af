package io.s3lockproxy.bench;

import io.s3lockproxy.config.LockConfig;
import io.s3lockproxy.lock.LockService;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.lock.HeldKeys;
import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.lock.LockMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many lock acquisitions (acquire + release, each on its own key) Redis sustains through the
 * proxy's lock engine, on one {@code redis-server} and on a 3-master/3-replica Redis Cluster (both
 * from PATH, on free local ports, one after the other in the same run): {@code --in-flight}
 * acquisitions are kept outstanding on distinct keys for {@code --seconds} against each.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.s3lockproxy.bench.LockThroughput [--seconds 10] [--in-flight 64] [--target both|single|cluster]</pre>
 */
public final class LockThroughput {
    private LockThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "--seconds", 10);
        int inFlight = intArg(args, "--in-flight", 64);
        String target = stringArg(args, "--target", "both");
        if (!target.equals("cluster")) {
            try (LocalRedis redis = LocalRedis.single()) {
                measure(redis, seconds, inFlight);
            }
        }
        if (!target.equals("single")) {
            try (LocalRedis redis = LocalRedis.cluster()) {
                measure(redis, seconds, inFlight);
            }
        }
    }

    private static void measure(LocalRedis redis, int seconds, int inFlight) throws Exception {
        LockConfig config = new LockConfig(redis.uri(), Duration.ofSeconds(30), Duration.ofSeconds(10),
                LockConfig.Mode.SERIALIZE, LockConfig.OnRedisDown.FAIL);
        try (LockService locks = LockServices.create(config, new LockMetrics())) {
            run(locks, 2, inFlight, false);
            long done = run(locks, seconds, inFlight, true);
            System.out.printf(Locale.ROOT, "%-36s %8d acquisitions on distinct keys in %d s with %d in flight: %6.0f/s%n",
                    redis.description() + ":", done, seconds, inFlight, done / (double) seconds);
        }
    }

    private static long run(LockService locks, int seconds, int inFlight, boolean report) throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long n = 0;
        while (System.nanoTime() < end) {
            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            LockKey key = new LockKey("bench", "key-" + (n++));
            CompletableFuture<HeldKeys> f = locks.acquire(List.of(key), "bench-" + n);
            f.whenComplete((handle, error) -> {
                if (error == null) {
                    handle.release();
                    completed.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                permits.release();
            });
        }
        permits.acquire(inFlight);
        if (report && failed.get() > 0) {
            System.out.println("failed acquisitions: " + failed.get());
        }
        return completed.get();
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
