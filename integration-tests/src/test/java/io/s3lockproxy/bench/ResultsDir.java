package io.s3lockproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Where a benchmark tool writes its CSV files and charts: {@code --out DIR}, by default
 * {@code target/bench-results/TOOL-yyyyMMdd-HHmmss/} below the working directory.
 */
final class ResultsDir {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private ResultsDir() {
    }

    /** Returns the directory for this run of {@code tool}, created. */
    static Path create(Map<String, String> opts, String tool) {
        Path dir = opts.containsKey("out") ? Path.of(opts.get("out"))
                : Path.of("target", "bench-results", tool + "-" + LocalDateTime.now().format(STAMP));
        try {
            return Files.createDirectories(dir).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
