package io.s3lockproxy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@link LoadTool} run reports: the table on stdout, the same rows in {@code results.csv},
 * every round of every target in {@code rounds.csv}, and at the end the charts ({@link Charts}),
 * all in one results directory.
 */
final class LoadReport implements AutoCloseable {
    private static final String ROW_FORMAT = "%-15s %-4s %8s %7s %10s %8s %8s %6s %12s %14s %17s%n";

    private final Path dir;
    private final int rounds;
    private final CsvFile results;
    private final CsvFile roundsCsv;
    private final List<Charts.Bar> bars = new ArrayList<>();

    LoadReport(Path dir, int rounds) {
        this.dir = dir;
        this.rounds = rounds;
        this.results = CsvFile.create(dir.resolve("results.csv"), "target", "op", "size_bytes", "threads",
                "ops_per_s", "p50_ms", "p99_ms", "errors", "ops_ratio_to_direct", "added_p50_ms",
                "proxy_cpu_us_per_req", "rounds");
        this.roundsCsv = CsvFile.create(dir.resolve("rounds.csv"), "op", "size_bytes", "threads", "round", "target",
                "ops", "ops_per_s", "p50_ms", "p99_ms", "errors", "proxy_cpu_us_per_req");
    }

    void header() {
        System.out.printf(Locale.ROOT, ROW_FORMAT, "target", "op", "size", "threads", "ops/s", "p50 ms",
                "p99 ms", "errors", "ops/s ratio", "added p50 ms", "proxy CPU µs/req");
    }

    /** Records one round of one target (and shows it on stderr when there are several rounds). */
    void round(String target, String op, int size, int threads, int round, LoadTool.Measured m) {
        Workload.Result r = m.result();
        roundsCsv.row(op, size, threads, round + 1, target, r.ops(), r.opsPerSecond(), r.p50Ms(), r.p99Ms(),
                r.errors(), m.cpuMicrosPerRequest());
        if (rounds > 1) {
            System.err.printf(Locale.ROOT, "  round %d/%d %s %s %s x%d: %.1f ops/s, p50 %.2f ms%n",
                    round + 1, rounds, target, op, sizeText(size), threads, r.opsPerSecond(), r.p50Ms());
        }
    }

    /**
     * Prints and records one line of the table; ratio and added p50 are against {@code direct}
     * unless it is null or this line's own result.
     */
    void row(String target, String op, int size, int threads, LoadTool.Measured m, Workload.Result direct) {
        Workload.Result r = m.result();
        boolean against = direct != null && direct != r;
        double ratio = against ? r.opsPerSecond() / direct.opsPerSecond() : Double.NaN;
        double added = against ? r.p50Ms() - direct.p50Ms() : Double.NaN;
        System.out.printf(Locale.ROOT, ROW_FORMAT, target, op, sizeText(size), threads,
                format("%.1f", r.opsPerSecond()), format("%.2f", r.p50Ms()), format("%.2f", r.p99Ms()), r.errors(),
                format("%.2f", ratio), format("%+.2f", added), format("%.1f", m.cpuMicrosPerRequest()));
        results.row(target, op, size, threads, r.opsPerSecond(), r.p50Ms(), r.p99Ms(), r.errors(), ratio, added,
                m.cpuMicrosPerRequest(), rounds);
        bars.add(new Charts.Bar(op + " " + sizeText(size) + " ×" + threads, target, r));
    }

    /** Writes the charts and says where everything went. */
    @Override
    public void close() {
        results.close();
        roundsCsv.close();
        List<Path> charts = bars.isEmpty() ? List.of() : Charts.write(dir, "LoadTool", bars, "direct");
        System.out.println();
        System.out.println("wrote " + results.file() + ", " + roundsCsv.file().getFileName()
                + (charts.isEmpty() ? "" : " and " + charts.stream().map(p -> p.getFileName().toString()).toList()));
    }

    static String sizeText(int size) {
        return size >= 1 << 20 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
    }

    /** Formats {@code value}, or returns an empty cell for NaN (not measured, no baseline). */
    private static String format(String pattern, double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, pattern, value);
    }
}
