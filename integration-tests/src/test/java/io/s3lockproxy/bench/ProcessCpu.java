package io.s3lockproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The CPU time (user + system, all threads) that a set of processes used, read from
 * {@code /proc/PID/stat} (fields 14 and 15, utime and stime). The kernel counts it in clock ticks
 * ({@code getconf CLK_TCK}, 100 a second on Linux) and truncates, so the difference of two readings
 * is exact to one tick (10 ms) per process: spread over the requests of a measured period, e.g.
 * ±10 ms over 20,000 requests is ±0.5 µs per request.
 */
final class ProcessCpu {
    private static final Path PROC = Path.of("/proc");
    private static final long TICKS_PER_SECOND = clockTicksPerSecond();

    private final Supplier<List<Long>> pids;

    private ProcessCpu(Supplier<List<Long>> pids) {
        this.pids = pids;
    }

    /** Whether this machine has {@code /proc/PID/stat} and {@code getconf CLK_TCK} (Linux). */
    static boolean supported() {
        return TICKS_PER_SECOND > 0 && Files.isReadable(PROC.resolve("self").resolve("stat"));
    }

    /**
     * Returns a reader of the processes that {@code pids} lists; it is asked at each reading, so
     * that a worker started later is counted.
     */
    static ProcessCpu of(Supplier<List<Long>> pids) {
        if (!supported()) {
            throw new IllegalStateException("no /proc/PID/stat or getconf CLK_TCK here: CPU time cannot be read");
        }
        return new ProcessCpu(pids);
    }

    /** Returns the CPU time the processes have used since they started, in µs. */
    long cpuMicros() {
        long ticks = 0;
        for (long pid : pids.get()) {
            ticks += ticks(pid);
        }
        return ticks * 1_000_000 / TICKS_PER_SECOND;
    }

    /** Returns a {@link Workload.Period} that records the CPU time used between its begin and end. */
    Window window() {
        return new Window();
    }

    /** The CPU time the processes used during one measured period. */
    final class Window implements Workload.Period {
        private long begin = -1;
        private long end = -1;

        @Override
        public void begin() {
            begin = cpuMicros();
        }

        @Override
        public void end() {
            end = cpuMicros();
        }

        /** Returns the CPU µs used between {@link #begin()} and {@link #end()}. */
        long micros() {
            if (begin < 0 || end < 0) {
                throw new IllegalStateException("the period has not been measured");
            }
            return end - begin;
        }
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of the line
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of pid " + pid, e);
        }
    }

    private static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
