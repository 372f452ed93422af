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

/** kill -9 of an instance that holds a key's lock: another instance gets the key within lease + slack. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HolderCrashIT {
    private static final long LEASE_MS = 1500;
    private static final long SLACK_MS = 2000;

    private LockingCluster cluster;

    @BeforeAll
    void start() {
        cluster = LockingCluster.startWithOwnBackend("HolderCrashIT", true, 2, b -> b.leaseMs(LEASE_MS).waitMs(15_000));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anotherInstanceAcquiresWithinTheLeaseAfterTheHolderIsKilled() throws Exception {
        String bucket = cluster.newBucket();
        String key = "crashed/holder";
        String path = "/" + bucket + "/" + key;
        ProxyProcess holder = cluster.proxy(0);
        byte[] partial = new byte[256 * 1024];
        Arrays.fill(partial, (byte) 'P');
        byte[] survivor = "written after the crash".getBytes(StandardCharsets.UTF_8);

        long killedAt;
        try (SlowPut put = SlowPut.start(holder.endpoint(), holder.accessKey(), holder.secretKey(), bucket, key, partial)) {
            put.send(4096);
            assertThat(cluster.recorder.awaitInFlight(path, 1, Duration.ofSeconds(10)))
                    .as("the holder's PUT reaches the backend (lock held); logs:%n%s", cluster.logs()).isTrue();
            holder.kill9();
            killedAt = System.nanoTime();
        }
        int status = cluster.client(1).putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(survivor))
                .sdkHttpResponse().statusCode();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.printf("HolderCrashIT: write through the surviving instance took %d ms after kill -9 (lease %d ms)%n",
                tookMs, LEASE_MS);

        assertThat(status).isEqualTo(200);
        assertThat(tookMs).as("ms from kill -9 to the other instance's write done").isLessThan(LEASE_MS + SLACK_MS);
        assertThat(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).isEqualTo(survivor);
        cluster.removeBucket(bucket);
    }
}
