package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Checks the test double {@link AtomicConditionGateway} itself, no proxy involved: in front of
 * S3Proxy 2.6.0 (which ignores conditions) it refuses stale conditional writes at commit time,
 * even when every writer's request head arrived while its condition still held.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AtomicConditionGatewayIT {
    private static final String KEY = "gateway/object";

    private S3ProxyBackend backend;
    private AtomicConditionGateway gateway;
    private S3Client s3;
    private String bucket;

    @BeforeAll
    void start() {
        backend = S3ProxyBackend.start(S3ProxyBackend.Release.V2_6_0);
        gateway = AtomicConditionGateway.inFrontOf(backend);
        s3 = Clients.direct(gateway);
        bucket = ProxyTestEnvironment.newBucketName();
        s3.createBucket(b -> b.bucket(bucket));
    }

    @AfterAll
    void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** Four writers send their heads with the same If-Match, then finish one after another: one commits. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void onlyOneOfSeveralWritesConditionalOnTheSameETagCommits() {
        String etag = s3.putObject(b -> b.bucket(bucket).key(KEY), RequestBody.fromString("v0")).eTag();
        List<SlowPut> puts = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                byte[] body = ("v1 from writer " + i).getBytes(StandardCharsets.UTF_8);
                puts.add(SlowPut.start(gateway.endpoint(), gateway.accessKey(), gateway.secretKey(), bucket, KEY, body,
                        Map.of("If-Match", etag), false));
            }
            for (SlowPut put : puts) {
                statuses.add(put.finishAndReadStatus());
            }
        } finally {
            puts.forEach(SlowPut::close);
        }
        assertThat(statuses).containsExactly(200, 412, 412, 412);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(KEY)).asUtf8String()).isEqualTo("v1 from writer 0");
    }

    @Test
    void ifMatchOnAMissingKeyIsNoSuchKey() {
        assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key("gateway/missing").ifMatch("\"abc\""),
                RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey");
                });
    }

    @Test
    void ifNoneMatchStarOnAnExistingKeyIsPreconditionFailed() {
        s3.putObject(b -> b.bucket(bucket).key("gateway/existing"), RequestBody.fromString("here"));
        assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key("gateway/existing").ifNoneMatch("*"),
                RequestBody.fromString("again")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(412);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("PreconditionFailed");
                });
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("gateway/existing")).asUtf8String()).isEqualTo("here");
    }
}
