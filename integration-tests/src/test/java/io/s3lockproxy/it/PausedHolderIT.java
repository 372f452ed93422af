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
            staleWriteIsRejected(cluster, false);
        }
    }

    /**
     * fenced mode: the rest of the stale body is sent while the holder is still frozen, so it is
     * waiting in the holder's socket when SIGCONT comes, and the holder may pass it upstream before
     * its lease deadline or renewal tells it the lease is gone. Only the fence stops that write: it
     * carries the condition the holder learned under its lock ({@code If-None-Match: *} here), the
     * second writer has changed the key since, so the backend refuses it and the client gets 503.
     * Needs {@code lock.mode: fenced}; in serialize mode this race can overwrite the second writer.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pausedHolderPastItsLeaseIsFencedOffInFencedMode() throws Exception {
        try (LockingCluster cluster = LockingCluster.start(backend, "PausedHolderIT-fenced", true, 2,
                b -> b.leaseMs(LEASE_MS).waitMs(15_000).lockMode("fenced"))) {
            staleWriteIsRejected(cluster, true);
        }
    }

    /**
     * @param restWhilePaused send the rest of the stale body while the holder is frozen (it is then
     *                        waiting in the holder's socket at SIGCONT); otherwise 500 ms after SIGCONT
     */
    private static void staleWriteIsRejected(LockingCluster cluster, boolean restWhilePaused) throws Exception {
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
                if (restWhilePaused) {
                    put.sendRest(); // 256 KiB: fits the loopback socket buffers
                }
            } finally {
                holder.resume();
            }
            if (!restWhilePaused) {
                Thread.sleep(500);
            }
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
