package io.s3lockproxy.bench;

import io.s3lockproxy.it.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A sidecar's idle cost: time from process start to the S3 port accepting, then RSS, PSS and
 * threads after an idle period, for the proxy started as {@code java -jar} with the JVM's default
 * settings and through {@code bin/s3-lock-proxy} (the README's and the image's way), alternately,
 * medians of {@code --runs}.
 *
 * <pre>
 * java -Dproxy.jar=proxy/target/s3-lock-proxy.jar -cp integration-tests/target/test-classes:$(cat integration-tests/target/cp.txt) \
 *      io.s3lockproxy.bench.FootprintTool [--runs 5] [--idle-seconds 10] [--out DIR]
 * </pre>
 *
 * The launcher's first start (which makes the class-data archive) is a warm-up and not counted.
 * Linux only (/proc).
 */
public final class FootprintTool {

    private record Sample(long listenMillis, long rssKb, long pssKb, int threads) {
    }

    private record Way(String name, List<String> command) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = LoadTool.parse(args);
        int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
        Duration idle = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("idle-seconds", "10")));
        Path jar = Path.of(System.getProperty("proxy.jar")).toAbsolutePath();
        Path dir = ResultsDir.create(opts, "footprint");
        Path launcherJar = Files.copy(jar, dir.resolve("s3-lock-proxy.jar"));
        List<Way> ways = List.of(
                new Way("java -jar (JVM defaults)", List.of("java", "-jar", jar.toString())),
                new Way("bin/s3-lock-proxy", List.of("sh", Path.of("bin", "s3-lock-proxy").toAbsolutePath().toString())));
        sample(ways.get(1), launcherJar, Duration.ofSeconds(1));
        Map<String, List<Sample>> samples = new java.util.LinkedHashMap<>();
        try (CsvFile csv = CsvFile.create(dir.resolve("runs.csv"), "way", "run", "listen ms", "rss kB", "pss kB", "threads")) {
            for (int run = 0; run < runs; run++) {
                for (int i = 0; i < ways.size(); i++) {
                    Way way = ways.get(run % 2 == 0 ? i : ways.size() - 1 - i);
                    Sample s = sample(way, launcherJar, idle);
                    samples.computeIfAbsent(way.name(), n -> new ArrayList<>()).add(s);
                    csv.row(way.name(), run, s.listenMillis(), s.rssKb(), s.pssKb(), s.threads());
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-26s %10s %10s %10s %8s   (medians of %d, %d s idle)%n", "way", "listen ms",
                "RSS MB", "PSS MB", "threads", runs, idle.toSeconds());
        try (CsvFile csv = CsvFile.create(dir.resolve("results.csv"), "way", "listen ms", "rss MB", "pss MB", "threads")) {
            samples.forEach((name, list) -> {
                long listen = median(list, Sample::listenMillis);
                double rss = median(list, Sample::rssKb) / 1024.0;
                double pss = median(list, Sample::pssKb) / 1024.0;
                long threads = median(list, s -> (long) s.threads());
                System.out.printf(Locale.ROOT, "%-26s %10d %10.1f %10.1f %8d%n", name, listen, rss, pss, threads);
                csv.row(name, listen, rss, pss, threads);
            });
        }
        System.out.println("wrote " + dir.resolve("results.csv") + " and runs.csv");
    }

    private static long median(List<Sample> samples, java.util.function.ToLongFunction<Sample> value) {
        List<Long> values = new ArrayList<>(samples.stream().map(value::applyAsLong).toList());
        values.sort(Comparator.naturalOrder());
        return values.get(values.size() / 2);
    }

    private static Sample sample(Way way, Path launcherJar, Duration idle) throws IOException, InterruptedException {
        int[] ports = Ports.freePorts(2);
        ProcessBuilder pb = new ProcessBuilder(way.command()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.put("S3_LOCK_PROXY_JAR", launcherJar.toString());
        env.put("S3LP_LISTEN", "127.0.0.1:" + ports[0]);
        env.put("S3LP_ADMIN", "127.0.0.1:" + ports[1]);
        env.put("S3LP_UPSTREAM_ENDPOINT", "http://127.0.0.1:9");
        env.put("S3LP_UPSTREAM_ACCESS_KEY", "footprint");
        env.put("S3LP_UPSTREAM_SECRET_KEY", "footprint");
        env.put("S3LP_CREDENTIALS_0_ACCESS_KEY", "footprint");
        env.put("S3LP_CREDENTIALS_0_SECRET_KEY", "footprint");
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            if (!Ports.awaitListening("127.0.0.1", ports[0], Duration.ofSeconds(60), p::isAlive)) {
                throw new IllegalStateException(way.name() + " did not start");
            }
            long listen = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Thread.sleep(idle.toMillis());
            long pid = p.pid(); // the launcher execs java: the started process is the JVM
            return new Sample(listen, field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:"),
                    field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:"),
                    Path.of("/proc", Long.toString(pid), "task").toFile().list().length);
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static long field(Path file, String name) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException(name + " not in " + file);
    }
}
