package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * CompleteMultipartUploads of two different uploads to one key, racing through two instances: the
 * backend sees them one at a time, and with {@code If-None-Match: *} exactly one succeeds (200) and
 * the other gets 412. Over S3Proxy 4.1.0 (checks If-None-Match on completion itself, not atomically)
 * and 2.6.0 (ignores it: the proxy must emulate it under the lock).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompleteMultipartRaceIT {
    private static final int ROUNDS = 5;

    private final Map<S3ProxyBackend.Release, S3ProxyBackend> backends = new EnumMap<>(S3ProxyBackend.Release.class);
    private final Map<S3ProxyBackend.Release, LockingCluster> clusters = new EnumMap<>(S3ProxyBackend.Release.class);
    private LockingCluster cluster;
    private ExecutorService pool;

    @BeforeAll
    void start() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        clusters.values().forEach(LockingCluster::close);
        backends.values().forEach(S3ProxyBackend::close);
    }

    private void use(S3ProxyBackend.Release release) {
        cluster = clusters.computeIfAbsent(release, r -> LockingCluster.start(
                backends.computeIfAbsent(r, S3ProxyBackend::start), "CompleteMultipartRaceIT-" + r, true, 2,
                b -> b.waitMs(30_000)));
    }

    @ParameterizedTest
    @EnumSource(S3ProxyBackend.Release.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void racingCompletesToOneKeyReachTheBackendOneAtATime(S3ProxyBackend.Release release) throws Exception {
        use(release);
        String bucket = cluster.newBucket();
        for (int round = 0; round < ROUNDS; round++) {
            String key = "race/plain-" + round;
            String path = "/" + bucket + "/" + key;
            List<Upload> uploads = List.of(upload(0, bucket, key, "A"), upload(1, bucket, key, "B"));
            List<Integer> statuses = race(uploads, bucket, key, null);
            assertThat(statuses).as("round %d", round).containsExactly(200, 200);
            assertThat(cluster.recorder.maxInFlight(path)).as("writes to %s in flight at once", path).isEqualTo(1);
            // the object is the upload whose completion the backend finished last
            List<UpstreamRecorder.Write> writes = cluster.recorder.completedWrites(path);
            String lastUploadId = writes.get(writes.size() - 1).query();
            Upload last = uploads.stream().filter(u -> lastUploadId.contains(
                    java.net.URLEncoder.encode(u.uploadId, StandardCharsets.UTF_8))).findFirst().orElseThrow();
            assertThat(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                    .isEqualTo(last.content);
        }
        cluster.removeBucket(bucket);
    }

    /** Over 2.6.0, which ignores If-None-Match on completion, this needs the proxy's emulation. */
    @ParameterizedTest
    @EnumSource(S3ProxyBackend.Release.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withIfNoneMatchStarExactlyOneRacingCompleteSucceeds(S3ProxyBackend.Release release) throws Exception {
        use(release);
        String bucket = cluster.newBucket();
        for (int round = 0; round < ROUNDS; round++) {
            String key = "race/create-only-" + round;
            String path = "/" + bucket + "/" + key;
            List<Upload> uploads = List.of(upload(0, bucket, key, "A"), upload(1, bucket, key, "B"));
            List<Integer> statuses = race(uploads, bucket, key, "*");
            assertThat(statuses).as("round %d: statuses of the two completions; logs:%n%s", round, cluster.logs())
                    .containsExactlyInAnyOrder(200, 412);
            assertThat(cluster.recorder.maxInFlight(path)).isEqualTo(1);
            Upload winner = uploads.get(statuses.indexOf(200));
            assertThat(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                    .isEqualTo(winner.content);
        }
        cluster.removeBucket(bucket);
    }

    private record Upload(int instance, S3Client client, String uploadId, String etag, String content) {
    }

    private Upload upload(int instance, String bucket, String key, String tag) {
        S3Client s3 = cluster.client(instance);
        String content = "upload " + tag + " " + System.nanoTime();
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromString(content)).eTag();
        return new Upload(instance, s3, uploadId, etag, content);
    }

    /** Completes both uploads at once; returns their statuses in upload order. */
    private List<Integer> race(List<Upload> uploads, String bucket, String key, String ifNoneMatch) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (Upload u : uploads) {
            results.add(pool.submit(() -> {
                go.await();
                try {
                    return u.client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(u.uploadId)
                            .ifNoneMatch(ifNoneMatch)
                            .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(u.etag).build())))
                            .sdkHttpResponse().statusCode();
                } catch (S3Exception e) {
                    return e.statusCode();
                }
            }));
        }
        go.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> r : results) {
            statuses.add(r.get(60, TimeUnit.SECONDS));
        }
        return statuses;
    }
}
