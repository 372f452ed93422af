package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * 200 concurrent PUTs of different bodies to one key: the backend never sees two of them in
 * flight at once (observed by the {@link UpstreamRecorder} between the proxies and the backend),
 * and the object ends up holding the body of the write the backend completed last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteExclusionIT {
    private static final int WRITES = 200;

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

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void twoHundredConcurrentPutsThroughOneInstanceReachTheBackendOneAtATime() throws Exception {
        try (LockingCluster cluster = LockingCluster.start(backend, "WriteExclusionIT-local", false, 1,
                b -> b.waitMs(120_000))) {
            concurrentPutsAreExclusive(cluster);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void twoHundredConcurrentPutsThroughThreeInstancesSharingRedisReachTheBackendOneAtATime() throws Exception {
        try (LockingCluster cluster = LockingCluster.start(backend, "WriteExclusionIT-redis", true, 3,
                b -> b.waitMs(120_000))) {
            concurrentPutsAreExclusive(cluster);
        }
    }

    /**
     * Control: the same 200 PUTs sent through the recorder straight to the backend (no proxy, no
     * lock) are seen overlapping, so the recorder can tell when a lock does not hold.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withoutTheProxyTheRecorderSeesConcurrentPutsOverlap() throws Exception {
        try (UpstreamRecorder recorder = UpstreamRecorder.forwardingTo(backend.endpoint());
             S3Client direct = Clients.direct(backend);
             S3Client viaRecorder = Clients.s3(recorder.endpoint(), backend.accessKey(), backend.secretKey(),
                     ClientFlavour.WHEN_REQUIRED, WRITES)) {
            String bucket = ProxyTestEnvironment.newBucketName();
            direct.createBucket(b -> b.bucket(bucket));
            String key = "contended/object";
            ExecutorService pool = Executors.newFixedThreadPool(WRITES);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    int writer = i;
                    results.add(pool.submit(() -> {
                        go.await();
                        return viaRecorder.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body(writer)));
                    }));
                }
                go.countDown();
                for (Future<?> result : results) {
                    result.get(100, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            int max = recorder.maxInFlight("/" + bucket + "/" + key);
            System.out.printf("WriteExclusionIT control: %d of %d PUTs in flight at once without the proxy%n", max, WRITES);
            assertThat(max).as("PUTs in flight at once without the proxy").isGreaterThan(1);
            direct.deleteObject(b -> b.bucket(bucket).key(key));
            direct.deleteBucket(b -> b.bucket(bucket));
        }
    }

    private void concurrentPutsAreExclusive(LockingCluster cluster) throws Exception {
        String bucket = cluster.newBucket();
        String key = "contended/object";
        String path = "/" + bucket + "/" + key;
        int instances = cluster.proxies.size();
        List<S3Client> clients = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            clients.add(cluster.client(i, ClientFlavour.WHEN_REQUIRED, WRITES / instances + 1));
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITES);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < WRITES; i++) {
                int writer = i;
                S3Client client = clients.get(i % instances);
                results.add(pool.submit(() -> {
                    go.await();
                    return client.putObject(b -> b.bucket(bucket).key(key).metadata(java.util.Map.of("writer",
                                    Integer.toString(writer))), RequestBody.fromBytes(body(writer)))
                            .sdkHttpResponse().statusCode();
                }));
            }
            go.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get(150, TimeUnit.SECONDS)).as("PUT status; logs:%n%s", cluster.logs()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(cluster.recorder.awaitIdle(path, java.time.Duration.ofSeconds(5))).isTrue();
        List<UpstreamRecorder.Write> writes = cluster.recorder.completedWrites(path);
        assertThat(writes).as("writes the backend completed").hasSize(WRITES).allMatch(UpstreamRecorder.Write::succeeded);
        assertThat(cluster.recorder.maxInFlight(path)).as("writes to %s in flight at the backend at once", path)
                .isEqualTo(1);
        String lastWriter = writes.get(writes.size() - 1).header("x-amz-meta-writer");
        assertThat(new String(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(),
                StandardCharsets.UTF_8)).as("the object holds the last completed write")
                .isEqualTo(new String(body(Integer.parseInt(lastWriter)), StandardCharsets.UTF_8));
        cluster.removeBucket(bucket);
    }

    private static byte[] body(int writer) {
        return ("writer " + writer + " " + "x".repeat(writer * 7 % 1000)).getBytes(StandardCharsets.UTF_8);
    }
}
