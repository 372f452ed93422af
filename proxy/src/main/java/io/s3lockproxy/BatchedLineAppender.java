package io.s3lockproxy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes each event's message as one line, from a background thread that gathers the lines of a
 * few milliseconds into one {@code write}: the access log costs an event loop a queue offer, not
 * a thread wake-up and a system call per request.
 *
 * <p>The writer sleeps while there is nothing to write; the first line after that wakes it at
 * once, and while lines keep coming it writes at most once per {@code batchWindow}. A line is
 * dropped, and counted, only when {@code capacity} lines are already waiting, so an event loop
 * never waits on a slow stdout. {@link #stop()} writes what is queued.
 */
public final class BatchedLineAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private static final int MAX_BATCH_LINES = 4096;
    private static final long STOP_WAIT_MILLIS = 2_000;

    private final OutputStream out;
    private final ArrayBlockingQueue<String> lines;
    private final long batchWindowNanos;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean writerParked;
    private volatile boolean stopping;
    private Thread writer;

    /** On stdout, up to 8,192 waiting lines, at most one write per 5 ms. */
    public BatchedLineAppender() {
        this(new FileOutputStream(FileDescriptor.out), 8192, 5, TimeUnit.MILLISECONDS);
    }

    BatchedLineAppender(OutputStream out, int capacity, long batchWindow, TimeUnit unit) {
        this.out = out;
        this.lines = new ArrayBlockingQueue<>(capacity);
        this.batchWindowNanos = unit.toNanos(batchWindow);
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        stopping = false;
        writer = new Thread(this::writeUntilStopped, "access-log-writer");
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!lines.offer(event.getFormattedMessage())) {
            dropped.increment();
            return;
        }
        if (writerParked) {
            writerParked = false;
            LockSupport.unpark(writer);
        }
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeUntilStopped() {
        List<String> batch = new ArrayList<>();
        LineBuffer buffer = new LineBuffer();
        while (true) {
            lines.drainTo(batch, MAX_BATCH_LINES);
            if (batch.isEmpty()) {
                if (stopping) {
                    return;
                }
                sleepUntilALineComes();
                continue;
            }
            write(batch, buffer);
            batch.clear();
            if (!stopping) {
                LockSupport.parkNanos(this, batchWindowNanos);
            }
        }
    }

    private void sleepUntilALineComes() {
        writerParked = true;
        if (lines.isEmpty() && !stopping) {
            LockSupport.park(this);
        }
        writerParked = false;
    }

    private void write(List<String> batch, LineBuffer buffer) {
        try {
            for (String line : batch) {
                buffer.appendLine(line);
                if (buffer.isFull()) {
                    buffer.writeTo(out);
                }
            }
            buffer.writeTo(out);
        } catch (IOException e) {
            buffer.reset();
            addError("could not write " + batch.size() + " access-log lines", e);
        }
    }

    /** The bytes of up to about 64 KiB of lines, reused from write to write. */
    private static final class LineBuffer {
        private static final int FULL = 64 * 1024;
        private byte[] bytes = new byte[FULL + 2048];
        private int length;

        void reset() {
            length = 0;
        }

        boolean isFull() {
            return length >= FULL;
        }

        void appendLine(String line) {
            byte[] encoded = line.getBytes(StandardCharsets.UTF_8);
            ensure(encoded.length + 1);
            System.arraycopy(encoded, 0, bytes, length, encoded.length);
            length += encoded.length;
            bytes[length++] = '\n';
        }

        void writeTo(OutputStream out) throws IOException {
            if (length > 0) {
                out.write(bytes, 0, length);
                out.flush();
                length = 0;
            }
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, length + more);
            }
        }
    }
}
