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
 * Redis loses a held lease mid-write ({@code FLUSHALL} while a slow PUT streams through one
 * instance): another instance may then acquire and write, but the first holder finds its lease gone
 * at its next renewal and aborts, so its write never lands over the second one (no lost update).
 * Its client gets 503 or a broken connection, never 200.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrematureExpiryIT {
    private static final long LEASE_MS = 1500;

    private LockingCluster cluster;

    @BeforeAll
    void start() {
        cluster = LockingCluster.startWithOwnBackend("PrematureExpiryIT", true, 2, b -> b.leaseMs(LEASE_MS).waitMs(15_000));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void holderWhoseLeaseRedisLostDoesNotOverwriteTheNextWriter() throws Exception {
        String bucket = cluster.newBucket();
        String key = "flushed/lease";
        String path = "/" + bucket + "/" + key;
        ProxyProcess holder = cluster.proxy(0);
        byte[] stale = new byte[256 * 1024];
        Arrays.fill(stale, (byte) 'F');
        byte[] second = "written after the flush".getBytes(StandardCharsets.UTF_8);

        try (SlowPut put = SlowPut.start(holder.endpoint(), holder.accessKey(), holder.secretKey(), bucket, key, stale)) {
            put.send(4096);
            assertThat(cluster.recorder.awaitInFlight(path, 1, Duration.ofSeconds(10)))
                    .as("the holder's PUT reaches the backend (lock held); logs:%n%s", cluster.logs()).isTrue();
            assertThat(cluster.redis.command("FLUSHALL")).isEqualTo("+OK");

            long start = System.nanoTime();
            int status = cluster.client(1).putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(second))
                    .sdkHttpResponse().statusCode();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(status).isEqualTo(200);
            System.out.printf("PrematureExpiryIT: second writer done %d ms after FLUSHALL%n", tookMs);

            Thread.sleep(LEASE_MS); // past the holder's next renewal (every lease/3)
            assertThat(put.finishAndReadStatus()).as("what the holder's client got (-1: connection broken); logs:%n%s",
                    cluster.logs()).isIn(503, -1);
        }
        assertThat(cluster.recorder.awaitIdle(path, Duration.ofSeconds(10))).isTrue();
        assertThat(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray())
                .as("the object holds the second writer's data").isEqualTo(second);
        assertThat(cluster.recorder.completedWrites(path)).filteredOn(UpstreamRecorder.Write::succeeded).hasSize(1);
        cluster.removeBucket(bucket);
    }
}
