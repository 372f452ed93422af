package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;

class BucketOperationsIT extends ProxyTestEnvironment {

    @Test
    void createHeadListDeleteThroughProxy() {
        S3Client s3 = client(ClientFlavour.DEFAULTS);
        String name = newBucketName();
        try {
            s3.createBucket(b -> b.bucket(name));
            direct.headBucket(b -> b.bucket(name)); // really created upstream

            s3.headBucket(b -> b.bucket(name));
            assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains(name, bucket);

            s3.deleteBucket(b -> b.bucket(name));
            assertThatThrownBy(() -> direct.headBucket(b -> b.bucket(name)))
                    .satisfies(e -> S3ErrorAssert.assertError(e, 404, "NoSuchBucket", "NotFound"));
            assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).doesNotContain(name);
        } finally {
            removeBucketDirectly(name);
        }
    }

    @Test
    void missingBucketIsRelayedAsNotFound() {
        S3Client s3 = client(ClientFlavour.WHEN_REQUIRED);
        String missing = newBucketName();
        assertThatThrownBy(() -> s3.headBucket(b -> b.bucket(missing)))
                .satisfies(e -> S3ErrorAssert.assertError(e, 404, "NoSuchBucket", "NotFound"));
        assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket(missing)))
                .satisfies(e -> S3ErrorAssert.assertError(e, 404, "NoSuchBucket"));
        assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket(missing)))
                .satisfies(e -> S3ErrorAssert.assertError(e, 404, "NoSuchBucket"));
    }

    @Test
    void deletingNonEmptyBucketFailsAndKeepsIt() {
        S3Client s3 = client(ClientFlavour.DEFAULTS);
        direct.putObject(b -> b.bucket(bucket).key("keep"), software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
        assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket(bucket)))
                .satisfies(e -> S3ErrorAssert.assertError(e, 409, "BucketNotEmpty"));
        direct.headObject(b -> b.bucket(bucket).key("keep"));
    }
}
