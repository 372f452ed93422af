package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * DeleteObjects with overlapping key sets listed in opposite orders, sent concurrently through two
 * instances for many rounds: every request completes, none with a lock-timeout 503, none hangs.
 * A proxy that locked keys in body order would deadlock until waitMs (20 s) and answer 503.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeleteObjectsDeadlockIT {
    private static final int KEYS = 16;
    private static final int THREADS_PER_INSTANCE = 2;
    private static final int ROUNDS = 30;

    private LockingCluster cluster;

    @BeforeAll
    void start() {
        cluster = LockingCluster.startWithOwnBackend("DeleteObjectsDeadlockIT", true, 2, b -> b.waitMs(20_000));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void overlappingDeletesInOppositeOrdersAcrossInstancesAllComplete() throws Exception {
        String bucket = cluster.newBucket();
        List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> String.format("k%02d", i)).toList();
        List<String> ascending = keys.subList(0, 12);                  // k00..k11
        List<String> descending = new ArrayList<>(keys.subList(4, KEYS)); // k15..k04
        java.util.Collections.reverse(descending);
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_INSTANCE);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int instance = 0; instance < 2; instance++) {
                for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
                    S3Client s3 = cluster.client(instance);
                    List<String> order = (instance + t) % 2 == 0 ? ascending : descending;
                    boolean writer = t == 0;
                    workers.add(pool.submit(() -> {
                        go.await();
                        int deleted = 0;
                        for (int round = 0; round < ROUNDS; round++) {
                            if (writer) { // keep some of the keys existing, through the same locks
                                String key = order.get(round % order.size());
                                s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("round " + key));
                            }
                            DeleteObjectsResponse r = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                                    order.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList())));
                            assertThat(r.errors()).as("per-key errors").isEmpty();
                            deleted += r.deleted().size();
                        }
                        return deleted;
                    }));
                }
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<Integer> worker : workers) {
                assertThat(worker.get(120, TimeUnit.SECONDS)).as("keys reported deleted").isEqualTo(ROUNDS * 12);
            }
            System.out.printf("DeleteObjectsDeadlockIT: %d DeleteObjects in %d ms%n", 4 * ROUNDS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } finally {
            pool.shutdownNow();
        }
        assertThat(cluster.direct.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
        cluster.removeBucket(bucket);
    }
}
