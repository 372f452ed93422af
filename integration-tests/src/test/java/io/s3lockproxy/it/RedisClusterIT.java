package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.lock.RedisClusterProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.util.JedisClusterCRC16;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Three proxy processes sharing a real 3-master/3-replica Redis Cluster ({@code lock.redis:
 * redis-cluster://…}): concurrent PUTs to keys in different slots, through all three, reach the
 * backend one at a time per key (observed by the {@link UpstreamRecorder} between the proxies and
 * the backend).
 */
class RedisClusterIT {
    private static final int KEYS = 4;
    private static final int WRITES_PER_KEY = 40;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void putsThroughThreeInstancesOnARedisClusterReachTheBackendOneAtATimePerKey() throws Exception {
        try (RedisClusterProcess redis = RedisClusterProcess.start();
             LockingCluster cluster = LockingCluster.startWithOwnBackend("RedisClusterIT", false, 3,
                     b -> b.redis(redis.uri()).waitMs(120_000))) {
            String bucket = cluster.newBucket();
            List<String> keys = keysInDistinctSlots(bucket);
            List<S3Client> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(cluster.client(i, ClientFlavour.WHEN_REQUIRED, KEYS * WRITES_PER_KEY / 3 + 1));
            }
            ExecutorService pool = Executors.newFixedThreadPool(KEYS * WRITES_PER_KEY);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < KEYS * WRITES_PER_KEY; i++) {
                    String key = keys.get(i % KEYS);
                    S3Client client = clients.get(i % 3);
                    byte[] body = ("writer " + i).getBytes(StandardCharsets.UTF_8);
                    results.add(pool.submit(() -> {
                        go.await();
                        return client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body))
                                .sdkHttpResponse().statusCode();
                    }));
                }
                go.countDown();
                for (Future<Integer> result : results) {
                    assertThat(result.get(200, TimeUnit.SECONDS)).as("PUT status; logs:%n%s", cluster.logs())
                            .isEqualTo(200);
                }
            } finally {
                pool.shutdownNow();
            }
            for (String key : keys) {
                String path = "/" + bucket + "/" + key;
                assertThat(cluster.recorder.awaitIdle(path, Duration.ofSeconds(5))).isTrue();
                assertThat(cluster.recorder.completedWrites(path)).hasSize(WRITES_PER_KEY)
                        .allMatch(UpstreamRecorder.Write::succeeded);
                assertThat(cluster.recorder.maxInFlight(path)).as("writes to %s in flight at the backend at once", path)
                        .isEqualTo(1);
            }
            cluster.removeBucket(bucket);
        }
    }

    /** Returns keys whose locks live in different slots of the cluster (the proxy's tag is bucket/key). */
    private static List<String> keysInDistinctSlots(String bucket) {
        List<String> keys = new ArrayList<>();
        Set<Integer> slots = new HashSet<>();
        for (int n = 0; keys.size() < KEYS; n++) {
            String key = "contended/object-" + n;
            if (slots.add(JedisClusterCRC16.getSlot(bucket + "/" + key))) {
                keys.add(key);
            }
        }
        return keys;
    }
}
