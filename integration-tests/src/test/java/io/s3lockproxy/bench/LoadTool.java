package io.s3lockproxy.bench;

import io.s3lockproxy.it.ClientFlavour;
import io.s3lockproxy.it.Clients;
import io.s3lockproxy.it.Payloads;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Throughput and latency of PUT and GET, straight to the backend, through nginx as a plain
 * pass-through, and through the proxy (default settings, and {@code lock.mode: serialize}), in one
 * run, row by row: see {@link LoadTargets} for the targets.
 *
 * <pre>
 * mvn -o -q package -DskipTests -pl proxy
 * mvn -o -q -pl integration-tests test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Dproxy.jar=proxy/target/s3-lock-proxy.jar -Ds3proxy.jar=integration-tests/target/s3proxy/s3proxy.jar \
 *      -cp integration-tests/target/test-classes:$(cat integration-tests/target/cp.txt) \
 *      io.s3lockproxy.bench.LoadTool [--seconds 10] [--warmup 3] [--prime 0] [--ops PUT,GET] [--sizes 4096,1048576] [--threads 1,16] \
 *      [--targets direct,nginx,proxy,proxy-serialize] [--rounds 1] [--out DIR] [--proxy-jvm "OPTIONS"]
 * </pre>
 *
 * <p>The proxies it starts run with the JVM settings of {@code bin/s3-lock-proxy} (the README's and
 * the image's), and {@code -Xmx256m}; {@code --proxy-jvm} replaces the former ({@code ""}: JVM defaults).
 *
 * <p>Besides the table on stdout it writes, into {@code --out} (by default
 * {@code target/bench-results/loadtool-TIMESTAMP/}): {@code results.csv} (the table),
 * {@code rounds.csv} (every round of every target) and the charts {@code ratio.png} and
 * {@code latency.png} ({@link LoadReport}, {@link Charts}).
 *
 * <p>{@code --prime S} first runs every operation and size against every target for S seconds,
 * unmeasured, so that the Java processes (the proxy, S3Proxy) have compiled their request paths
 * before the first row: a sidecar runs for hours, and a row's own warm-up alone leaves the JIT still
 * busy in the first rows (the proxy spent 20–40 s of CPU compiling over its first minutes of load).
 *
 * <p>Within a row the targets are measured one after another, in reverse order every other pass
 * ({@link Rounds}; a pass is one round of one row), so that none always runs first. {@code --rounds N}
 * measures every row N times and reports each target's median round (by ops/s).
 *
 * <p>The column {@code proxy CPU µs/req} is the CPU time (user + system) that the processes serving
 * a target in front of the backend used during the measured period — the proxy's JVM, or nginx's
 * master and workers — over the requests completed in it, from {@code /proc/PID/stat} read before
 * and after ({@link ProcessCpu}; exact to one clock tick, 10 ms, per process and row).
 *
 * <p>Without endpoint options it starts a backend (MinIO with Docker, else S3Proxy) and the rest
 * itself. To measure running ones instead: {@code --backend URI --backend-key K --backend-secret S --proxy URI
 * --proxy-key K --proxy-secret S} (secrets may also come from the environment variables
 * LOADTOOL_BACKEND_SECRET and LOADTOOL_PROXY_SECRET). The targets are then direct and proxy;
 * {@code --targets} may add nginx (started in front of {@code --backend}), not proxy-serialize. {@code --no-proxy true} measures
 * the backend under every target's name (a check of the tool itself).
 */
public final class LoadTool {
    private static final String DEFAULT_SIZES = "4096,1048576";
    private static final String DEFAULT_THREADS = "1,16";
    private static final String DEFAULT_OPS = "PUT,GET";
    private static final ClientFlavour FLAVOUR = ClientFlavour.WHEN_REQUIRED;

    /**
     * One target's figures for one round of a row; {@code cpuMicrosPerRequest} is the CPU time its
     * processes used in the measured period over the requests completed in it (NaN: not measured).
     */
    record Measured(Workload.Result result, double cpuMicrosPerRequest) {
    }

    private LoadTool() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "3"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
        int prime = Integer.parseInt(opts.getOrDefault("prime", "0"));
        Path out = ResultsDir.create(opts, "loadtool");
        try (LoadTargets targets = LoadTargets.start(opts);
             LoadReport report = new LoadReport(out, rounds)) {
            new LoadTool.Run(targets, report, seconds, warmup, rounds, prime).run(ints(opts.getOrDefault("sizes", DEFAULT_SIZES)),
                    ints(opts.getOrDefault("threads", DEFAULT_THREADS)),
                    List.of(opts.getOrDefault("ops", DEFAULT_OPS).split(",")));
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(v -> Integer.parseInt(v.trim())).toArray();
    }

    /** One run: every row (op, size, threads) over every target. */
    private static final class Run {
        private final LoadTargets targets;
        private final LoadReport report;
        private final int seconds;
        private final int warmup;
        private final int rounds;
        private final int prime;
        private final String bucket = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        private int rowIndex;

        Run(LoadTargets targets, LoadReport report, int seconds, int warmup, int rounds, int prime) {
            this.targets = targets;
            this.report = report;
            this.seconds = seconds;
            this.warmup = warmup;
            this.rounds = rounds;
            this.prime = prime;
        }

        void run(int[] sizes, int[] threadCounts, List<String> ops) throws Exception {
            int maxThreads = Arrays.stream(threadCounts).max().orElse(1);
            Map<LoadTargets.Target, S3Client> clients = new LinkedHashMap<>();
            try (S3Client setup = client(targets.backend(), maxThreads)) {
                for (LoadTargets.Target t : targets.targets()) {
                    clients.put(t, client(t, maxThreads));
                }
                setup.createBucket(b -> b.bucket(bucket));
                System.out.printf(Locale.ROOT, "SDK v2 S3Client, requestChecksumCalculation=%s (hex payload hash, no aws-chunked);"
                        + " %d s priming per operation, size and target; %d s warm-up + %d s per row; %d round(s);"
                        + " bucket %s%n%n", FLAVOUR.calculation(), prime, warmup, seconds, rounds, bucket);
                Map<Integer, byte[]> payloads = new LinkedHashMap<>();
                for (int size : sizes) {
                    byte[] payload = Payloads.random(size);
                    payloads.put(size, payload);
                    for (int i = 0; i < maxThreads; i++) {
                        int n = i;
                        setup.putObject(b -> b.bucket(bucket).key(getKey(size, n)), RequestBody.fromBytes(payload));
                    }
                }
                if (prime > 0) {
                    prime(clients, payloads, ops, maxThreads);
                }
                report.header();
                for (int size : sizes) {
                    byte[] payload = payloads.get(size);
                    for (String op : ops) {
                        for (int threads : threadCounts) {
                            row(clients, op, size, threads, payload);
                        }
                    }
                }
            } finally {
                clients.values().forEach(S3Client::close);
            }
        }

        private void prime(Map<LoadTargets.Target, S3Client> clients, Map<Integer, byte[]> payloads, List<String> ops,
                           int threads) throws InterruptedException {
            for (LoadTargets.Target t : targets.targets()) {
                for (Map.Entry<Integer, byte[]> size : payloads.entrySet()) {
                    for (String op : ops) {
                        Workload.Result r = Workload.measure(threads, 0, prime, operation(clients.get(t), op, size.getKey(),
                                size.getValue()));
                        System.out.printf(Locale.ROOT, "  primed %s %s %s x%d: %.1f ops/s%n", t.name(), op,
                                LoadReport.sizeText(size.getKey()), threads, r.opsPerSecond());
                    }
                }
            }
        }

        private void row(Map<LoadTargets.Target, S3Client> clients, String op, int size, int threads, byte[] payload)
                throws InterruptedException {
            Map<LoadTargets.Target, List<Measured>> results = Rounds.measure(targets.targets(), rounds,
                    rowIndex++ * rounds, (t, round) -> {
                        Measured m = measure(t, clients.get(t), op, size, threads, payload);
                        report.round(t.name(), op, size, threads, round, m);
                        return m;
                    });
            Workload.Result direct = results.entrySet().stream()
                    .filter(e -> e.getKey().name().equals("direct"))
                    .map(e -> median(e.getValue()).result()).findFirst().orElse(null);
            results.forEach((t, ms) -> report.row(t.name(), op, size, threads, median(ms), direct));
        }

        /** Measures one target, and the CPU time of its processes over the measured period when it has some. */
        private Measured measure(LoadTargets.Target t, S3Client s3, String op, int size, int threads, byte[] payload)
                throws InterruptedException {
            Workload.Operation operation = operation(s3, op, size, payload);
            if (t.cpu() == null) {
                return new Measured(Workload.measure(threads, warmup, seconds, operation), Double.NaN);
            }
            ProcessCpu.Window cpu = t.cpu().window();
            Workload.Result r = Workload.measure(threads, warmup, seconds, operation, cpu);
            int requests = r.ops() + r.errors();
            return new Measured(r, requests == 0 ? Double.NaN : (double) cpu.micros() / requests);
        }

        private Workload.Operation operation(S3Client s3, String op, int size, byte[] payload) {
            return (id, i) -> {
                if (op.equals("PUT")) {
                    String key = "put/" + size + "/" + id + "/" + (i % 64);
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(payload));
                } else {
                    s3.getObjectAsBytes(b -> b.bucket(bucket).key(getKey(size, id)));
                }
            };
        }
    }

    private static S3Client client(LoadTargets.Target t, int maxThreads) {
        return Clients.s3(t.endpoint(), t.accessKey(), t.secretKey(), FLAVOUR, maxThreads);
    }

    /** Returns the round whose throughput is the median of {@code results}. */
    private static Measured median(List<Measured> results) {
        return Rounds.median(results, m -> m.result().opsPerSecond());
    }

    private static String getKey(int size, int n) {
        return "get/" + size + "/" + n;
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
