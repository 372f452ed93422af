package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A holder frozen past its lease (SIGSTOP of its proxy process while its PUT streams) while a
 * second instance acquires and writes: after SIGCONT the stale write never lands. Its client gets
 * a retryable 503 or a broken connection, never 200, and the object holds the second writer's data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PausedHolderIT {
    private static final long LEASE_MS = 1500;

    private S3Backend backend;

    @BeforeAll
    void startBackend() {
        backend = Backends.start();
    }

    @AfterAll
    void stopBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    /**
     * serialize mode: the resumed holder finds its lease deadline passed and aborts its upstream
     * request before the rest of its body arrives (the client resumes sending 500 ms after SIGCONT).
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pausedHolderPastItsLeaseDoesNotOverwriteTheNextWriter() throws Exception {
        try (LockingCluster cluster = LockingCluster.start(backend, "PausedHolderIT-serialize", true, 2,
                b -> b.leaseMs(LEASE_MS).waitMs(15_000).lockMode("serialize"))) {
            staleWriteIsRejected(cluster, 500);
        }
    }

    /**
     * fenced mode: the rest of the stale body follows SIGCONT at once; the write the holder sends
     * upstream carries the condition it learned under its lock, so the backend itself refuses it
     * (or the holder notices the lost lease first). Needs {@code lock.mode: fenced}.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pausedHolderPastItsLeaseIsFencedOffInFencedMode() throws Exception {
        try (LockingCluster cluster = LockingCluster.start(backend, "PausedHolderIT-fenced", true, 2,
                b -> b.leaseMs(LEASE_MS).waitMs(15_000).lockMode("fenced"))) {
            staleWriteIsRejected(cluster, 0);
        }
    }

    private static void staleWriteIsRejected(LockingCluster cluster, long pauseBeforeRestMs) throws Exception {
        String bucket = cluster.newBucket();
        String key = "paused/holder";
        String path = "/" + bucket + "/" + key;
        ProxyProcess holder = cluster.proxy(0);
        byte[] stale = new byte[256 * 1024];
        Arrays.fill(stale, (byte) 'S');
        byte[] second = "second writer's data".getBytes(StandardCharsets.UTF_8);

        try (SlowPut put = SlowPut.start(holder.endpoint(), holder.accessKey(), holder.secretKey(), bucket, key, stale)) {
            put.send(4096);
            assertThat(cluster.recorder.awaitInFlight(path, 1, Duration.ofSeconds(10)))
                    .as("the holder's PUT reaches the backend (lock held); logs:%n%s", cluster.logs()).isTrue();
            holder.pause();
            try {
                Thread.sleep(LEASE_MS + 1000); // frozen well past its lease
                int status = cluster.client(1).putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(second))
                        .sdkHttpResponse().statusCode();
                assertThat(status).as("second writer through the other instance").isEqualTo(200);
            } finally {
                holder.resume();
            }
            Thread.sleep(pauseBeforeRestMs);
            int staleStatus = put.finishAndReadStatus();
            assertThat(staleStatus).as("what the paused holder's client got (-1: connection broken); logs:%n%s",
                    cluster.logs()).isIn(503, -1);
        }
        assertThat(cluster.recorder.awaitIdle(path, Duration.ofSeconds(10))).isTrue();
        assertThat(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray())
                .as("the object holds the second writer's data").isEqualTo(second);
        assertThat(cluster.recorder.completedWrites(path)).as("writes the backend completed")
                .filteredOn(UpstreamRecorder.Write::succeeded).hasSize(1);
        cluster.removeBucket(bucket);
    }
}
