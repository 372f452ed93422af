package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Read-modify-write increments of one JSON counter, {@code If-Match} on the ETag read, retried on
 * 412 and 503: through 3 proxy instances sharing one Redis the final count is exact (0 lost), on a
 * backend that checks If-Match itself (S3Proxy 4.1.0, not atomically) and on one that ignores it
 * (S3Proxy 2.6.0: the proxy must emulate the condition under its lock). The same run straight
 * against the backend shows the loss, so the test can fail.
 *
 * <p>Size: the 3 instances × 16 threads × 50 increments (2400). On 2 shared cores the four
 * runs take about 3 minutes together (through 3 proxies: 83 s over S3Proxy 4.1.0 with ~16 000
 * retries on 412, 63 s over 2.6.0). {@code -Dit.lostUpdate.threads=N -Dit.lostUpdate.increments=M}
 * (threads per instance, increments per thread) makes a quicker run while iterating.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LostUpdateIT {
    private static final int INSTANCES = 3;
    private static final int THREADS = Integer.getInteger("it.lostUpdate.threads", 16);
    private static final int INCREMENTS = Integer.getInteger("it.lostUpdate.increments", 50);
    private static final long RUN_LIMIT_MS = 600_000;
    private static final Pattern COUNT = Pattern.compile("\"count\"\\s*:\\s*(\\d+)");

    private final Map<S3ProxyBackend.Release, S3ProxyBackend> backends = new EnumMap<>(S3ProxyBackend.Release.class);
    private final Map<S3ProxyBackend.Release, LockingCluster> clusters = new EnumMap<>(S3ProxyBackend.Release.class);

    @AfterAll
    void stop() {
        clusters.values().forEach(LockingCluster::close);
        backends.values().forEach(S3ProxyBackend::close);
    }

    private S3ProxyBackend backend(S3ProxyBackend.Release release) {
        return backends.computeIfAbsent(release, S3ProxyBackend::start);
    }

    private LockingCluster cluster(S3ProxyBackend.Release release) {
        return clusters.computeIfAbsent(release, r -> LockingCluster.start(backend(r), "LostUpdateIT-" + r, true,
                INSTANCES, b -> b.waitMs(60_000)));
    }

    /**
     * 2,400 increments of one key, serialized through the lock: 160-285 s on a 2-core machine
     * (2026-12-02), so the limit, there to catch a hang, is twice that.
     */
    @ParameterizedTest
    @EnumSource(S3ProxyBackend.Release.class)
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void conditionalIncrementsThroughThreeInstancesLoseNothing(S3ProxyBackend.Release release) throws Exception {
        LockingCluster cluster = cluster(release);
        String bucket = cluster.newBucket();
        try {
            List<S3Client> clients = new ArrayList<>();
            for (int i = 0; i < INSTANCES; i++) {
                clients.add(cluster.client(i, ClientFlavour.WHEN_REQUIRED, THREADS));
            }
            Result result = run(cluster.direct, bucket, clients);
            System.out.printf("LostUpdateIT through %d proxies over %s: %s%n", INSTANCES, release, result);
            // exact when every PUT got an answer; a PUT without one may have landed unacknowledged
            assertThat(result.finalCount).as("final count through the proxies over %s (%s)", release, result)
                    .isBetween(result.expected, result.expected + result.ambiguous);
        } finally {
            cluster.removeBucket(bucket);
        }
    }

    @ParameterizedTest
    @EnumSource(S3ProxyBackend.Release.class)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void conditionalIncrementsStraightAgainstTheBackendLoseUpdates(S3ProxyBackend.Release release) throws Exception {
        S3ProxyBackend backend = backend(release);
        try (S3Client direct = Clients.direct(backend)) {
            String bucket = ProxyTestEnvironment.newBucketName();
            direct.createBucket(b -> b.bucket(bucket));
            List<S3Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < INSTANCES; i++) {
                    clients.add(Clients.s3(backend.endpoint(), backend.accessKey(), backend.secretKey(),
                            ClientFlavour.WHEN_REQUIRED, THREADS));
                }
                Result result = run(direct, bucket, clients);
                System.out.printf("LostUpdateIT straight against %s: %s%n", release, result);
                if (release == S3ProxyBackend.Release.V2_6_0) {
                    // it ignores If-Match: concurrent read-modify-write must lose updates
                    assertThat(result.lost()).as("updates lost straight against %s (%s)", release, result).isPositive();
                } else {
                    // checks If-Match, but not atomically: losses are likely, not certain; reported only
                    assertThat(result.finalCount).isBetween(1L, result.expected + result.ambiguous);
                }
            } finally {
                clients.forEach(S3Client::close);
                direct.deleteObject(b -> b.bucket(bucket).key(KEY));
                direct.deleteBucket(b -> b.bucket(bucket));
            }
        }
    }

    private static final String KEY = "counter.json";

    /**
     * @param expected  increments acknowledged with 200
     * @param ambiguous PUTs that got no answer at all (broken connection): they may have landed
     */
    record Result(long expected, long finalCount, long preconditionFailed, long slowDown, long otherRetries,
                  long ambiguous, long millis) {
        long lost() {
            return expected - finalCount;
        }

        @Override
        public String toString() {
            return String.format("%d increments acknowledged, final count %d, lost %d; retries: %d on 412, %d on 503,"
                    + " %d other, %d PUTs without answer; %d ms", expected, finalCount, lost(), preconditionFailed,
                    slowDown, otherRetries, ambiguous, millis);
        }
    }

    /** INSTANCES × THREADS writers (one client per instance), INCREMENTS acknowledged increments each. */
    private static Result run(S3Client direct, String bucket, List<S3Client> clients) throws Exception {
        direct.putObject(b -> b.bucket(bucket).key(KEY), RequestBody.fromString(json(0)));
        AtomicLong preconditionFailed = new AtomicLong();
        AtomicLong slowDown = new AtomicLong();
        AtomicLong other = new AtomicLong();
        AtomicLong ambiguous = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(RUN_LIMIT_MS);
        ExecutorService pool = Executors.newFixedThreadPool(clients.size() * THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (S3Client client : clients) {
                for (int t = 0; t < THREADS; t++) {
                    writers.add(pool.submit(() -> {
                        go.await();
                        int failures = 0;
                        for (int done = 0; done < INCREMENTS; ) {
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError("run limit of " + RUN_LIMIT_MS + " ms exceeded");
                            }
                            ResponseBytes<GetObjectResponse> read;
                            try {
                                read = client.getObjectAsBytes(b -> b.bucket(bucket).key(KEY));
                            } catch (SdkClientException e) {
                                other.incrementAndGet(); // the connection broke: nothing written
                                backOff(++failures);
                                continue;
                            }
                            try {
                                long count = count(read.asUtf8String());
                                String etag = read.response().eTag();
                                client.putObject(b -> b.bucket(bucket).key(KEY).ifMatch(etag),
                                        RequestBody.fromString(json(count + 1)));
                                done++;
                                failures = 0;
                            } catch (SdkClientException e) {
                                // no answer: the increment may or may not have landed
                                ambiguous.incrementAndGet();
                                backOff(++failures);
                            } catch (S3Exception e) {
                                if (e.statusCode() == 412) {
                                    preconditionFailed.incrementAndGet();
                                } else if (e.statusCode() == 503) {
                                    slowDown.incrementAndGet();
                                } else if (e.statusCode() == 409 || e.statusCode() >= 500) {
                                    other.incrementAndGet(); // e.g. ConditionalRequestConflict, a backend hiccup
                                } else {
                                    throw e;
                                }
                                backOff(++failures);
                            } catch (IllegalStateException e) {
                                other.incrementAndGet(); // a torn read of a file being replaced
                                backOff(++failures);
                            }
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get(RUN_LIMIT_MS + 10_000, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long finalCount = count(direct.getObjectAsBytes(b -> b.bucket(bucket).key(KEY)).asUtf8String());
        return new Result((long) clients.size() * THREADS * INCREMENTS, finalCount, preconditionFailed.get(),
                slowDown.get(), other.get(), ambiguous.get(), millis);
    }

    /**
     * Randomized exponential back-off (2 ms doubling, capped at 256 ms): 48 writers on one key waste
     * most attempts on 412 otherwise (measured: 17 failed attempts per increment with a 1–34 ms
     * linear back-off, 190 s for 2400 increments).
     */
    private static void backOff(int failures) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(1, 2 + (2 << Math.min(failures, 7))));
    }

    private static String json(long count) {
        return "{\"count\": " + count + "}";
    }

    private static long count(String json) {
        Matcher m = COUNT.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("not a counter: " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
