package io.s3lockproxy.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table as a CSV file (RFC 4180: a header line, commas, quotes where a value needs them), written
 * and flushed row by row so that an interrupted run keeps the rows it measured. A null or NaN is
 * an empty field; other doubles have three decimals.
 */
final class CsvFile implements AutoCloseable {
    private final Path file;
    private final BufferedWriter out;
    private final int columns;

    private CsvFile(Path file, BufferedWriter out, int columns) {
        this.file = file;
        this.out = out;
        this.columns = columns;
    }

    /** Creates (or replaces) {@code file} and writes the header. */
    static CsvFile create(Path file, String... header) {
        try {
            CsvFile csv = new CsvFile(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8), header.length);
            csv.row((Object[]) header);
            return csv;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Writes one row, as many values as the header has names. */
    void row(Object... values) {
        if (values.length != columns) {
            throw new IllegalArgumentException(file + " has " + columns + " columns, not " + values.length);
        }
        List<String> fields = new ArrayList<>(values.length);
        for (Object value : values) {
            fields.add(field(value));
        }
        try {
            out.write(String.join(",", fields));
            out.write("\r\n");
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    Path file() {
        return file;
    }

    private static String field(Object value) {
        if (value == null || value instanceof Double d && d.isNaN()) {
            return "";
        }
        String text = value instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : value.toString();
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
