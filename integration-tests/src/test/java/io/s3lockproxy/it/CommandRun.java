package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** One run of an external client program (aws, restic) in a work directory: its exit code and output. */
record CommandRun(String command, int exit, String out, String err) {
    private static final int TIMEOUT_SECONDS = 180;

    /**
     * Runs {@code command} in {@code dir} with the environment {@code env} prepares, its output kept in
     * {@code dir}; fails the test when it takes longer than {@value #TIMEOUT_SECONDS} s.
     */
    static CommandRun of(List<String> command, Path dir, Consumer<Map<String, String>> env) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        env.accept(pb.environment());
        try {
            Path out = dir.resolve("stdout.txt");
            Path err = dir.resolve("stderr.txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new CommandRun(String.join(" ", command), p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Asserts that the command exited 0, showing its error output when it did not. */
    CommandRun succeeded() {
        assertThat(exit).as("%s failed: %s", command, err).isZero();
        return this;
    }
}
