package io.s3lockproxy.bench;

import io.s3lockproxy.it.Backends;
import io.s3lockproxy.it.ClientFlavour;
import io.s3lockproxy.it.Clients;
import io.s3lockproxy.it.Payloads;
import io.s3lockproxy.it.ProxyProcess;
import io.s3lockproxy.it.S3Backend;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Throughput and latency of PUT and GET, straight to the backend and through the proxy, in one run.
 *
 * <pre>
 * mvn -o -q package -DskipTests -pl proxy
 * mvn -o -q -pl integration-tests test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Dproxy.jar=proxy/target/s3-lock-proxy.jar -Ds3proxy.jar=integration-tests/target/s3proxy/s3proxy.jar \
 *      -cp integration-tests/target/test-classes:$(cat integration-tests/target/cp.txt) \
 *      io.s3lockproxy.bench.LoadTool [--seconds 10] [--warmup 3] [--ops PUT,GET] [--sizes 4096,1048576] [--threads 1,16]
 * </pre>
 *
 * Without endpoint options it starts a backend (MinIO with Docker, else S3Proxy) and a proxy itself.
 * To measure running ones instead: {@code --backend URI --backend-key K --backend-secret S --proxy URI
 * --proxy-key K --proxy-secret S} (secrets may also come from the environment variables
 * LOADTOOL_BACKEND_SECRET and LOADTOOL_PROXY_SECRET). {@code --no-proxy true} measures the backend
 * on both rows (a check of the tool itself).
 */
public final class LoadTool {
    private static final String DEFAULT_SIZES = "4096,1048576";
    private static final String DEFAULT_THREADS = "1,16";
    private static final String DEFAULT_OPS = "PUT,GET";
    private static final ClientFlavour FLAVOUR = ClientFlavour.WHEN_REQUIRED;

    record Target(String name, URI endpoint, String accessKey, String secretKey) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "3"));
        List<AutoCloseable> started = new ArrayList<>();
        Target direct;
        Target proxied;
        if (opts.containsKey("backend")) {
            direct = new Target("direct", URI.create(opts.get("backend")), opts.get("backend-key"),
                    opts.getOrDefault("backend-secret", System.getenv("LOADTOOL_BACKEND_SECRET")));
            proxied = new Target("proxy", URI.create(opts.get("proxy")), opts.get("proxy-key"),
                    opts.getOrDefault("proxy-secret", System.getenv("LOADTOOL_PROXY_SECRET")));
        } else {
            S3Backend backend = Backends.start();
            started.add(backend);
            direct = new Target("direct", backend.endpoint(), backend.accessKey(), backend.secretKey());
            if (Boolean.parseBoolean(opts.getOrDefault("no-proxy", "false"))) {
                // checks the tool itself: both rows measure the backend, ratios should be near 1
                System.out.println("started " + backend + "; --no-proxy: the 'proxy' rows measure the backend too");
                proxied = new Target("proxy", backend.endpoint(), backend.accessKey(), backend.secretKey());
            } else {
                ProxyProcess proxy = ProxyProcess.forBackend(backend).name("loadtool").start();
                started.add(0, proxy);
                System.out.println("started " + backend + " and " + proxy);
                proxied = new Target("proxy", proxy.endpoint(), proxy.accessKey(), proxy.secretKey());
            }
        }
        try {
            run(direct, proxied, seconds, warmup, ints(opts.getOrDefault("sizes", DEFAULT_SIZES)),
                    ints(opts.getOrDefault("threads", DEFAULT_THREADS)),
                    List.of(opts.getOrDefault("ops", DEFAULT_OPS).split(",")));
        } finally {
            for (AutoCloseable c : started) {
                c.close();
            }
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(v -> Integer.parseInt(v.trim())).toArray();
    }

    private static void run(Target direct, Target proxied, int seconds, int warmup, int[] sizes, int[] threadCounts,
                            List<String> ops) throws Exception {
        String bucket = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        int maxThreads = Arrays.stream(threadCounts).max().orElse(1);
        try (S3Client directClient = Clients.s3(direct.endpoint(), direct.accessKey(), direct.secretKey(), FLAVOUR, maxThreads);
             S3Client proxyClient = Clients.s3(proxied.endpoint(), proxied.accessKey(), proxied.secretKey(), FLAVOUR, maxThreads)) {
            directClient.createBucket(b -> b.bucket(bucket));
            System.out.printf(Locale.ROOT, "SDK v2 S3Client, requestChecksumCalculation=%s (hex payload hash, no aws-chunked);"
                    + " %d s warm-up + %d s per row; bucket %s%n%n", FLAVOUR.calculation(), warmup, seconds, bucket);
            System.out.printf(Locale.ROOT, "%-7s %-4s %8s %7s %10s %8s %8s %6s %12s %14s%n",
                    "target", "op", "size", "threads", "ops/s", "p50 ms", "p99 ms", "errors", "ops/s ratio", "added p50 ms");
            for (int size : sizes) {
                byte[] payload = Payloads.random(size);
                for (int i = 0; i < maxThreads; i++) {
                    int n = i;
                    directClient.putObject(b -> b.bucket(bucket).key(getKey(size, n)), RequestBody.fromBytes(payload));
                }
                for (String op : ops) {
                    for (int threads : threadCounts) {
                        Workload.Result d = measure(directClient, bucket, op, size, threads, payload, warmup, seconds);
                        print("direct", op, size, threads, d, null);
                        Workload.Result p = measure(proxyClient, bucket, op, size, threads, payload, warmup, seconds);
                        print("proxy", op, size, threads, p, d);
                    }
                }
            }
        }
    }

    private static String getKey(int size, int n) {
        return "get/" + size + "/" + n;
    }

    private static Workload.Result measure(S3Client s3, String bucket, String op, int size, int threads, byte[] payload,
                                  int warmupSeconds, int seconds) throws InterruptedException {
        return Workload.measure(threads, warmupSeconds, seconds, (id, i) -> {
            if (op.equals("PUT")) {
                String key = "put/" + size + "/" + id + "/" + (i % 64);
                s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(payload));
            } else {
                s3.getObjectAsBytes(b -> b.bucket(bucket).key(getKey(size, id)));
            }
        });
    }

    private static void print(String target, String op, int size, int threads, Workload.Result r,
                              Workload.Result baseline) {
        String sizeText = size >= 1 << 20 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
        String ratio = baseline == null ? "" : String.format(Locale.ROOT, "%.2f", r.opsPerSecond() / baseline.opsPerSecond());
        String added = baseline == null ? "" : String.format(Locale.ROOT, "%+.2f", r.p50Ms() - baseline.p50Ms());
        System.out.printf(Locale.ROOT, "%-7s %-4s %8s %7d %10.1f %8.2f %8.2f %6d %12s %14s%n",
                target, op, sizeText, threads, r.opsPerSecond(), r.p50Ms(), r.p99Ms(), r.errors(), ratio, added);
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }
}
