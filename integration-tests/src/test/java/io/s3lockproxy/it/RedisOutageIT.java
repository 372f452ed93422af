package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Redis killed mid-run and restarted on the same port (lock.onRedisDown: fail): while it is down
 * writes get 503 SlowDown with Retry-After and nothing is written, reads still answer 200; once it
 * is back writes succeed again without restarting the proxy, and a counter written under If-Match
 * before and after has lost nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisOutageIT {
    private static final Pattern COUNT = Pattern.compile("\"count\"\\s*:\\s*(\\d+)");
    private static final String KEY = "counter.json";

    private LockingCluster cluster;

    @BeforeAll
    void start() {
        cluster = LockingCluster.startWithOwnBackend("RedisOutageIT", true, 1,
                b -> b.leaseMs(3000).waitMs(3000).onRedisDown("fail"));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void writesFailClosedWhileRedisIsDownAndResumeWhenItIsBack() throws Exception {
        String bucket = cluster.newBucket();
        S3Client s3 = cluster.client(0);
        s3.putObject(b -> b.bucket(bucket).key(KEY), RequestBody.fromString(json(0)));
        for (int i = 0; i < 10; i++) {
            increment(s3, bucket);
        }

        cluster.redis.kill();
        for (int i = 0; i < 3; i++) {
            ResponseBytes<GetObjectResponse> read = s3.getObjectAsBytes(b -> b.bucket(bucket).key(KEY));
            assertThat(read.response().sdkHttpResponse().statusCode()).as("reads while Redis is down").isEqualTo(200);
            assertThat(count(read.asUtf8String())).isEqualTo(10);
            String etag = read.response().eTag();
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key(KEY).ifMatch(etag),
                    RequestBody.fromString(json(11))))
                    .as("a write while Redis is down; logs:%n%s", cluster.logs())
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(503);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
                        assertThat(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After")).isPresent();
                    });
            assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket(bucket).key(KEY)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(503));
        }
        assertThat(count(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(KEY)).asUtf8String()))
                .as("nothing written while Redis was down").isEqualTo(10);

        cluster.redis.restart();
        long back = System.nanoTime();
        int after = 0;
        int refused = 0;
        long deadline = back + TimeUnit.SECONDS.toNanos(30);
        long firstSuccessMs = -1;
        while (after < 10) {
            assertThat(System.nanoTime()).as("writes succeed again within 30 s of Redis coming back; logs:%n%s",
                    cluster.logs()).isLessThan(deadline);
            try {
                increment(s3, bucket);
                after++;
                if (firstSuccessMs < 0) {
                    firstSuccessMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
                }
            } catch (S3Exception e) {
                assertThat(e.statusCode()).as("only 503 while reconnecting").isEqualTo(503);
                refused++;
                Thread.sleep(200);
            }
        }
        System.out.printf("RedisOutageIT: first write %d ms after Redis restarted (%d refused before)%n",
                firstSuccessMs, refused);
        assertThat(count(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(KEY)).asUtf8String()))
                .as("10 increments before the outage, 10 after, none lost").isEqualTo(20);
        cluster.removeBucket(bucket);
    }

    /** One read-modify-write under If-Match by the only writer: a 412 here would mean a lost or foreign write. */
    private static void increment(S3Client s3, String bucket) {
        ResponseBytes<GetObjectResponse> read = s3.getObjectAsBytes(b -> b.bucket(bucket).key(KEY));
        long count = count(read.asUtf8String());
        s3.putObject(b -> b.bucket(bucket).key(KEY).ifMatch(read.response().eTag()), RequestBody.fromString(json(count + 1)));
    }

    private static String json(long count) {
        return "{\"count\": " + count + "}";
    }

    private static long count(String json) {
        Matcher m = COUNT.matcher(json);
        assertThat(m.find()).as("a counter: %s", json).isTrue();
        return Long.parseLong(m.group(1));
    }
}
