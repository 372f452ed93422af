package io.s3lockproxy.bench;

import io.s3lockproxy.it.Backends;
import io.s3lockproxy.it.ClientFlavour;
import io.s3lockproxy.it.Clients;
import io.s3lockproxy.it.Payloads;
import io.s3lockproxy.it.ProxyProcess;
import io.s3lockproxy.it.S3Backend;
import io.s3lockproxy.lock.RedisServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What write locking costs: PUTs of 4 KiB directly against the backend and through three proxies
 * in one run — local locks only, Redis leases (serialize), Redis leases with storage fencing — once
 * uncontended (each thread its own keys) and once contended (every thread the same key). The
 * uncontended rows also write directly with {@code If-Match} on the ETag of the key's previous write,
 * as fenced mode does: what the backend itself charges for a conditional write.
 *
 * <p>{@code --baseline-jar FILE} adds the Redis rows once more, served by another build of the
 * proxy (an earlier commit), so that a change's cost is measured in the same run as its baseline.
 *
 * <p>{@code --prime S} first writes through every target for S seconds with {@code --threads}
 * threads, unmeasured, as LoadTool's option does: the Java processes compile their write paths
 * before the first row instead of during it.
 *
 * <p>{@code --interleaved N} then writes N more 4 KiB objects through every target in turn from one
 * thread ({@link Interleaved}) and prints each target's p50 and p90 into {@code interleaved.csv}: the
 * way to compare two targets whose uncontended latencies differ by less than this machine's noise
 * between rows (fenced against serialize).
 *
 * <pre>java ... io.s3lockproxy.bench.LockLoadTool [--seconds 10] [--warmup 3] [--prime 0] [--threads 16] [--rounds 1] [--interleaved 0] [--baseline-jar FILE] [--out DIR]</pre>
 *
 * <p>Besides the table it writes, into {@code --out} (by default
 * {@code target/bench-results/lockloadtool-TIMESTAMP/}): {@code results.csv} (the medians, with the
 * ratio to direct), {@code rounds.csv} (every round) and the charts {@code ratio.png} and
 * {@code latency.png} ({@link Charts}).
 */
public final class LockLoadTool {
    private static final int SIZE = 4 * 1024;

    private LockLoadTool() {
    }

    /** {@code conditional}: each write carries {@code If-Match} on the ETag its key's previous write returned. */
    private record Target(String name, S3Client client, boolean conditional) {
        Target(String name, S3Client client) {
            this(name, client, false);
        }

        /** Writes {@code key}; a conditional target remembers the ETag for the key's next write. */
        void put(String bucket, String key, byte[] payload, Map<String, String> etags) {
            String etag = conditional ? etags.get(key) : null;
            String written = client.putObject(b -> b.bucket(bucket).key(key).ifMatch(etag),
                    RequestBody.fromBytes(payload)).eTag();
            if (conditional) {
                etags.put(key, written);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = LoadTool.parse(args);
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "3"));
        int contenders = Integer.parseInt(opts.getOrDefault("threads", "16"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
        int prime = Integer.parseInt(opts.getOrDefault("prime", "0"));
        int interleaved = Integer.parseInt(opts.getOrDefault("interleaved", "0"));
        byte[] payload = Payloads.random(SIZE);
        Path out = ResultsDir.create(opts, "lockloadtool");
        List<AutoCloseable> started = new ArrayList<>();
        try {
            CsvFile roundsCsv = CsvFile.create(out.resolve("rounds.csv"), "keys", "threads", "round", "target", "ops",
                    "ops_per_s", "p50_ms", "p99_ms", "errors");
            CsvFile results = CsvFile.create(out.resolve("results.csv"), "target", "keys", "threads", "ops_per_s",
                    "p50_ms", "p99_ms", "errors", "ops_ratio_to_direct", "added_p50_ms", "rounds");
            started.add(roundsCsv);
            started.add(results);
            S3Backend backend = Backends.start();
            started.add(backend);
            RedisServerProcess redis = RedisServerProcess.start();
            started.add(0, redis);
            ProxyProcess local = started(started, ProxyProcess.forBackend(backend).name("lock-local").start());
            ProxyProcess serialize = started(started,
                    ProxyProcess.forBackend(backend).name("lock-redis").redis(redis.uri()).lockMode("serialize").start());
            ProxyProcess fenced = started(started,
                    ProxyProcess.forBackend(backend).name("lock-fenced").redis(redis.uri()).lockMode("fenced").start());
            ClientFlavour flavour = ClientFlavour.WHEN_REQUIRED;
            List<Target> targets = new ArrayList<>(List.of(
                    new Target("direct", Clients.s3(backend.endpoint(), backend.accessKey(), backend.secretKey(), flavour,
                            contenders)),
                    new Target("direct, If-Match", Clients.s3(backend.endpoint(), backend.accessKey(),
                            backend.secretKey(), flavour, contenders), true),
                    new Target("proxy, local locks", Clients.s3(local.endpoint(), local.accessKey(), local.secretKey(),
                            flavour, contenders)),
                    new Target("proxy, Redis serialize", Clients.s3(serialize.endpoint(), serialize.accessKey(),
                            serialize.secretKey(), flavour, contenders)),
                    new Target("proxy, Redis fenced", Clients.s3(fenced.endpoint(), fenced.accessKey(),
                            fenced.secretKey(), flavour, contenders))));
            String baselineJar = opts.get("baseline-jar");
            if (baselineJar != null) {
                java.nio.file.Path jar = java.nio.file.Path.of(baselineJar);
                ProxyProcess oldLocal = started(started, ProxyProcess.forBackend(backend).jar(jar)
                        .name("lock-local-baseline").start());
                targets.add(new Target("baseline, local locks", Clients.s3(oldLocal.endpoint(), oldLocal.accessKey(),
                        oldLocal.secretKey(), flavour, contenders)));
                ProxyProcess oldSerialize = started(started, ProxyProcess.forBackend(backend).jar(jar)
                        .name("lock-redis-baseline").redis(redis.uri()).lockMode("serialize").start());
                ProxyProcess oldFenced = started(started, ProxyProcess.forBackend(backend).jar(jar)
                        .name("lock-fenced-baseline").redis(redis.uri()).lockMode("fenced").start());
                targets.add(new Target("baseline, Redis serialize", Clients.s3(oldSerialize.endpoint(),
                        oldSerialize.accessKey(), oldSerialize.secretKey(), flavour, contenders)));
                targets.add(new Target("baseline, Redis fenced", Clients.s3(oldFenced.endpoint(), oldFenced.accessKey(),
                        oldFenced.secretKey(), flavour, contenders)));
            }
            targets.forEach(t -> started.add(0, t.client()));
            String bucket = "lockbench-" + UUID.randomUUID().toString().substring(0, 8);
            targets.get(0).client().createBucket(b -> b.bucket(bucket));
            System.out.printf(Locale.ROOT, "%s; PUT %d KiB, SDK v2 %s; %d s warm-up + %d s per row%n%n",
                    backend, SIZE >> 10, flavour.calculation(), warmup, seconds);
            if (prime > 0) {
                prime(targets, bucket, payload, contenders, prime);
            }
            System.out.printf(Locale.ROOT, "%-27s %-11s %7s %9s %8s %8s %6s%n",
                    "target", "keys", "threads", "ops/s", "p50 ms", "p99 ms", "errors");
            Map<Target, List<Workload.Result>> own = Rounds.measure(targets, rounds, 0, (t, round) -> {
                Map<String, String> etags = new ConcurrentHashMap<>();
                Workload.Result r = Workload.measure(1, warmup, seconds, (id, i) ->
                        t.put(bucket, "u/" + t.name().hashCode() + "/" + (i % 64), payload, etags));
                print(t.name(), "own", 1, r);
                roundsCsv.row("own", 1, round + 1, t.name(), r.ops(), r.opsPerSecond(), r.p50Ms(), r.p99Ms(), r.errors());
                return r;
            });
            // Writers racing for one key with If-Match would refuse each other: no conditional row here.
            List<Target> unconditional = targets.stream().filter(t -> !t.conditional()).toList();
            Map<Target, List<Workload.Result>> shared = Rounds.measure(unconditional, rounds, 0, (t, round) -> {
                Workload.Result r = Workload.measure(contenders, warmup, seconds, (id, i) ->
                        t.client().putObject(b -> b.bucket(bucket).key("hot/" + t.name().hashCode()),
                                RequestBody.fromBytes(payload)));
                print(t.name(), "one shared", contenders, r);
                roundsCsv.row("one shared", contenders, round + 1, t.name(), r.ops(), r.opsPerSecond(), r.p50Ms(),
                        r.p99Ms(), r.errors());
                return r;
            });
            System.out.printf(Locale.ROOT, "%nmedians of %d rounds%n", rounds);
            List<Charts.Bar> bars = new ArrayList<>();
            medians(own, "own", 1, rounds, results, bars);
            medians(shared, "one shared", contenders, rounds, results, bars);
            Workload.Result directSingle = median(own.get(targets.get(0)));
            System.out.printf(Locale.ROOT, "%nbound for one key written one write at a time: 1 / direct PUT p50 = %.1f ops/s%n",
                    1000.0 / directSingle.p50Ms());
            if (interleaved > 0) {
                interleaved(targets, bucket, payload, interleaved, out);
            }
            List<Path> charts = Charts.write(out, "LockLoadTool, PUT 4 KiB", bars, targets.get(0).name());
            System.out.println("\nwrote " + results.file() + ", " + roundsCsv.file().getFileName() + " and "
                    + charts.stream().map(c -> c.getFileName().toString()).toList());
        } finally {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("close failed: " + e);
                }
            }
        }
    }

    /** Writes through every target, unmeasured, each thread on its own keys. */
    private static void prime(List<Target> targets, String bucket, byte[] payload, int threads, int seconds)
            throws InterruptedException {
        for (Target t : targets) {
            Map<String, String> etags = new ConcurrentHashMap<>();
            Workload.Result r = Workload.measure(threads, 0, seconds, (id, i) ->
                    t.put(bucket, "prime/" + t.name().hashCode() + "/" + id + "/" + (i % 64), payload, etags));
            System.out.printf(Locale.ROOT, "  primed %s x%d: %.1f ops/s%n", t.name(), threads, r.opsPerSecond());
        }
    }

    /** Uncontended writes through every target in turn, request by request; 10 % of them first, unmeasured. */
    private static void interleaved(List<Target> targets, String bucket, byte[] payload, int requests, Path out)
            throws Exception {
        List<Interleaved.Request> sends = new ArrayList<>();
        for (Target t : targets) {
            Map<String, String> etags = new ConcurrentHashMap<>();
            sends.add(i -> t.put(bucket, "i/" + t.name().hashCode() + "/" + (i % 64), payload, etags));
        }
        List<Interleaved.Latency> latencies = Interleaved.measure(targets.stream().map(Target::name).toList(), sends,
                requests / 10, requests);
        System.out.printf(Locale.ROOT, "%ninterleaved, one thread, own keys, %d writes per target%n", requests);
        try (CsvFile csv = CsvFile.create(out.resolve("interleaved.csv"), "target", "requests", "p50_ms", "p90_ms")) {
            for (Interleaved.Latency l : latencies) {
                System.out.printf(Locale.ROOT, "%-27s p50 %6.3f ms  p90 %6.3f ms%n", l.target(), l.p50Ms(), l.p90Ms());
                csv.row(l.target(), l.requests(), l.p50Ms(), l.p90Ms());
            }
        }
    }

    /**
     * Prints each target's median round and adds it to {@code results.csv} and the charts, with
     * its ratio to the first target (direct).
     */
    private static void medians(Map<Target, List<Workload.Result>> byTarget, String keys, int threads, int rounds,
                                CsvFile results, List<Charts.Bar> bars) {
        Workload.Result direct = median(byTarget.values().iterator().next());
        byTarget.forEach((t, all) -> {
            Workload.Result r = median(all);
            print(t.name(), keys, threads, r);
            boolean against = r != direct;
            results.row(t.name(), keys, threads, r.opsPerSecond(), r.p50Ms(), r.p99Ms(), r.errors(),
                    against ? r.opsPerSecond() / direct.opsPerSecond() : null,
                    against ? r.p50Ms() - direct.p50Ms() : null, rounds);
            bars.add(new Charts.Bar((keys.equals("own") ? "own keys" : "one shared key") + " ×" + threads, t.name(), r));
        });
    }

    /** Returns the round whose throughput is the median of {@code results}. */
    private static Workload.Result median(List<Workload.Result> results) {
        return Rounds.median(results, Workload.Result::opsPerSecond);
    }

    private static ProxyProcess started(List<AutoCloseable> started, ProxyProcess p) {
        started.add(0, p);
        return p;
    }

    private static void print(String target, String keys, int threads, Workload.Result r) {
        System.out.printf(Locale.ROOT, "%-27s %-11s %7d %9.1f %8.2f %8.2f %6d%n",
                target, keys, threads, r.opsPerSecond(), r.p50Ms(), r.p99Ms(), r.errors());
    }
}
