package io.s3lockproxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchedLineAppenderTest {
    private static final long ONE_HOUR = 3_600_000;

    private final LoggerContext context = new LoggerContext();
    private final RecordingStream out = new RecordingStream();
    private BatchedLineAppender appender;

    @AfterEach
    void stop() {
        out.release.countDown();
        if (appender != null) {
            appender.stop();
        }
    }

    @Test
    void theFirstLineAfterAQuietSpellIsWrittenAtOnce() throws Exception {
        start(100, ONE_HOUR);
        append("first");
        assertThat(out.written.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(out.text()).isEqualTo("first\n");
    }

    @Test
    void linesThatCameWhileTheWriterWasBusyGoOutInOneWriteInOrder() throws Exception {
        out.blockFirstWrite();
        start(1000, 1);
        append("line 0");
        assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<String> more = IntStream.rangeClosed(1, 100).mapToObj(i -> "line " + i).toList();
        more.forEach(this::append);
        out.release.countDown();
        appender.stop();

        assertThat(out.writes()).hasSize(2);
        assertThat(out.writes().get(1)).isEqualTo(more.stream().map(l -> l + "\n").collect(Collectors.joining()));
        assertThat(appender.dropped()).isZero();
    }

    @Test
    void linesBeyondTheCapacityAreDroppedAndCountedWithoutBlockingTheCaller() throws Exception {
        out.blockFirstWrite();
        start(4, 1);
        append("held");
        assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 7; i++) {
            append("queued " + i);
        }
        assertThat(appender.dropped()).isEqualTo(3);
        out.release.countDown();
        appender.stop();
        assertThat(out.text()).isEqualTo("held\nqueued 0\nqueued 1\nqueued 2\nqueued 3\n");
    }

    @Test
    void stopWritesWhatIsQueuedEvenInTheMiddleOfABatchWindow() throws Exception {
        start(100, ONE_HOUR);
        append("first");
        assertThat(out.written.await(5, TimeUnit.SECONDS)).isTrue();
        append("during the window");
        append("é, a line in UTF-8");
        appender.stop();
        assertThat(out.text()).isEqualTo("first\nduring the window\né, a line in UTF-8\n");
    }

    @Test
    void aBatchLargerThanTheBufferIsWrittenInSeveralWritesWithNothingLost() throws Exception {
        out.blockFirstWrite();
        start(10_000, 1);
        append("start");
        assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();
        String longLine = "k".repeat(1000);
        for (int i = 0; i < 200; i++) {
            append(i + " " + longLine);
        }
        out.release.countDown();
        appender.stop();
        List<String> lines = out.text().lines().toList();
        assertThat(lines).hasSize(201);
        assertThat(lines.get(200)).isEqualTo("199 " + longLine);
        assertThat(out.writes().size()).isGreaterThan(2);
    }

    private void start(int capacity, long batchWindowMillis) {
        appender = new BatchedLineAppender(out, capacity, batchWindowMillis, TimeUnit.MILLISECONDS);
        appender.setContext(context);
        appender.start();
    }

    private void append(String message) {
        appender.doAppend(new LoggingEvent("test", context.getLogger("test"), Level.INFO, message, null, null));
    }

    /** Keeps every write apart; can hold the first one until released. */
    private static final class RecordingStream extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch written = new CountDownLatch(1);
        private final List<byte[]> writes = new ArrayList<>();
        private volatile boolean blockFirst;

        void blockFirstWrite() {
            blockFirst = true;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            entered.countDown();
            if (blockFirst) {
                blockFirst = false;
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.write(b, off, len);
            synchronized (writes) {
                writes.add(copy.toByteArray());
            }
            written.countDown();
        }

        List<String> writes() {
            synchronized (writes) {
                return writes.stream().map(w -> new String(w, StandardCharsets.UTF_8)).toList();
            }
        }

        String text() {
            return String.join("", writes());
        }
    }
}
