package io.s3lockproxy.bench;

import io.s3lockproxy.config.LockConfig;
import io.s3lockproxy.lock.LockService;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.lock.HeldKeys;
import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.lock.LockMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many lock acquisitions (acquire + release, each on its own key) one Redis sustains through
 * the proxy's lock engine: a {@code redis-server} from PATH is started on a free port, and
 * {@code --in-flight} acquisitions are kept outstanding on distinct keys for {@code --seconds}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.s3lockproxy.bench.LockThroughput [--seconds 10] [--in-flight 64]</pre>
 */
public final class LockThroughput {
    private LockThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "--seconds", 10);
        int inFlight = intArg(args, "--in-flight", 64);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("lock-bench-redis");
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--save", "",
                "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            awaitPort(port);
            LockConfig config = new LockConfig(URI.create("redis://127.0.0.1:" + port), Duration.ofSeconds(30),
                    Duration.ofSeconds(10), LockConfig.Mode.SERIALIZE, LockConfig.OnRedisDown.FAIL);
            LockMetrics metrics = new LockMetrics();
            try (LockService locks = LockServices.create(config, metrics)) {
                run(locks, 2, inFlight, false);
                long done = run(locks, seconds, inFlight, true);
                System.out.printf(Locale.ROOT, "%d acquisitions on distinct keys in %d s with %d in flight: %.0f/s"
                        + " (one redis-server %s, lock engine with %s)%n", done, seconds, inFlight,
                        done / (double) seconds, "7.x on loopback", "8 Redis I/O threads");
            }
        } finally {
            redis.destroy();
            redis.waitFor(5, TimeUnit.SECONDS);
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

    private static void awaitPort(int port) throws InterruptedException, IOException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("redis-server did not start on port " + port);
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
