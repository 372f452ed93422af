package io.s3lockproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code curl} as a process: a client that owes nothing to Java's HTTP stack. */
public final class Curl {
    private Curl() {
    }

    public record Result(int status, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public static boolean available() {
        return Executables.onPath("curl");
    }

    /** GET {@code url}; the body lands in memory. */
    public static Result get(String url) {
        return run(List.of(url));
    }

    /** PUT the file at {@code url} (curl --upload-file), with extra headers as "Name: value". */
    public static Result put(String url, Path file, List<String> headers) {
        List<String> args = new ArrayList<>(List.of("--upload-file", file.toString()));
        headers.forEach(h -> args.addAll(List.of("-H", h)));
        args.add(url);
        return run(args);
    }

    /**
     * POSTs a browser form to {@code url} (curl -F, {@code multipart/form-data}): {@code fields} as
     * literal values in their order, then {@code file} as the field {@code file} named {@code fileName}.
     */
    public static Result postForm(String url, List<Map.Entry<String, String>> fields, Path file, String fileName) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> field : fields) {
            args.addAll(List.of("--form-string", field.getKey() + "=" + field.getValue()));
        }
        args.addAll(List.of("-F", "file=@" + file + ";filename=" + fileName, url));
        return run(args);
    }

    private static Result run(List<String> args) {
        try {
            Path out = Files.createTempFile("curl-", ".body");
            try {
                List<String> command = new ArrayList<>(List.of("curl", "-sS", "-g", "-o", out.toString(),
                        "-w", "%{http_code}"));
                command.addAll(args);
                Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
                String status = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("curl failed (" + p.exitValue() + "): " + err);
                }
                return new Result(Integer.parseInt(status), Files.readAllBytes(out));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
