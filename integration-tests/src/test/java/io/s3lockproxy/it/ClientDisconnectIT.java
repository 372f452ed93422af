package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A client that sends half a PUT body and closes its socket: the upstream request is aborted (no
 * object), and the key's lock is free again within 1 s. The lease is 10 s, so a lock left to
 * expire instead of being released would make the next writer wait far longer than that.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientDisconnectIT {
    private static final int BODY = 512 * 1024;

    private LockingCluster cluster;

    @BeforeAll
    void start() {
        cluster = LockingCluster.startWithOwnBackend("ClientDisconnectIT", true, 2, b -> b.leaseMs(10_000).waitMs(20_000));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** @param nextInstance 0: the next writer uses the same instance; 1: another instance (via Redis) */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void lockIsFreeWithinOneSecondOfTheDisconnect(int nextInstance) throws Exception {
        String bucket = cluster.newBucket();
        String key = "abandoned/upload";
        String path = "/" + bucket + "/" + key;
        byte[] next = "the next writer".getBytes(StandardCharsets.UTF_8);
        // Each instance learns what the bucket's storage enforces on its first write there: not timed here.
        cluster.client(0).putObject(b -> b.bucket(bucket).key("warm-up"), RequestBody.fromBytes(next));
        cluster.client(nextInstance).putObject(b -> b.bucket(bucket).key("warm-up"), RequestBody.fromBytes(next));
        cluster.recorder.reset();
        halfSentPutThenClose(bucket, key, path);
        long closedAt = System.nanoTime();

        int status = cluster.client(nextInstance).putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(next))
                .sdkHttpResponse().statusCode();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        System.out.printf("ClientDisconnectIT: next writer (instance %d) done %d ms after the disconnect%n",
                nextInstance, tookMs);

        assertThat(status).isEqualTo(200);
        assertThat(tookMs).as("ms from the disconnect to the next write done; logs:%n%s", cluster.logs())
                .isLessThan(1000);
        assertThat(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).isEqualTo(next);
        assertThat(cluster.recorder.completedWrites(path)).filteredOn(UpstreamRecorder.Write::succeeded).hasSize(1);
        cluster.removeBucket(bucket);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void halfSentPutWritesNoObject() throws Exception {
        String bucket = cluster.newBucket();
        String key = "abandoned/nothing";
        String path = "/" + bucket + "/" + key;
        halfSentPutThenClose(bucket, key, path);

        assertThat(cluster.recorder.awaitIdle(path, Duration.ofSeconds(1)))
                .as("the upstream request is aborted within 1 s; logs:%n%s", cluster.logs()).isTrue();
        assertThat(cluster.recorder.completedWrites(path)).noneMatch(UpstreamRecorder.Write::succeeded);
        Thread.sleep(500); // let the backend finish whatever it would do with the torn request
        assertThatThrownBy(() -> cluster.direct.headObject(b -> b.bucket(bucket).key(key)))
                .as("no object upstream")
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        cluster.removeBucket(bucket);
    }

    private void halfSentPutThenClose(String bucket, String key, String path) throws Exception {
        ProxyProcess proxy = cluster.proxy(0);
        byte[] body = new byte[BODY];
        Arrays.fill(body, (byte) 'H');
        try (SlowPut put = SlowPut.start(proxy.endpoint(), proxy.accessKey(), proxy.secretKey(), bucket, key, body)) {
            put.send(BODY / 2);
            assertThat(cluster.recorder.awaitInFlight(path, 1, Duration.ofSeconds(10)))
                    .as("the PUT reaches the backend (lock held); logs:%n%s", cluster.logs()).isTrue();
            Thread.sleep(200); // let the first half travel upstream
        }
    }
}
