package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Checks the harness itself: the SDK clients straight against the backend, no proxy involved.
 * If this fails, the proxy tests cannot say anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackendSmokeIT {
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

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void putGetListDirectly(ClientFlavour flavour) {
        try (S3Client s3 = Clients.s3(backend.endpoint(), backend.accessKey(), backend.secretKey(), flavour)) {
            String bucket = "smoke-" + UUID.randomUUID().toString().substring(0, 8);
            s3.createBucket(b -> b.bucket(bucket));
            byte[] body = Payloads.random(3 << 20);
            s3.putObject(b -> b.bucket(bucket).key("dir/object one"), RequestBody.fromBytes(body));

            byte[] back = s3.getObjectAsBytes(b -> b.bucket(bucket).key("dir/object one")).asByteArray();
            assertThat(Payloads.sha256Hex(back)).isEqualTo(Payloads.sha256Hex(body));
            assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/")).contents())
                    .extracting(S3Object::key, S3Object::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("dir/object one", (long) body.length));

            s3.deleteObject(b -> b.bucket(bucket).key("dir/object one"));
            s3.deleteBucket(b -> b.bucket(bucket));
        }
    }

    @Test
    void backendRejectsWrongSecret() {
        try (S3Client s3 = Clients.s3(backend.endpoint(), backend.accessKey(), "not-the-secret",
                ClientFlavour.WHEN_REQUIRED)) {
            assertThatThrownBy(s3::listBuckets)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }
}
