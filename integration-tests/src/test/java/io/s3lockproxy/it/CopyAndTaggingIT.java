package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.Tag;

class CopyAndTaggingIT extends ProxyTestEnvironment {

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void copyObjectToAnotherKey(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        byte[] body = Payloads.random(300_000);
        s3.putObject(b -> b.bucket(bucket).key("src").metadata(Map.of("origin", "source")), RequestBody.fromBytes(body));

        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("copy/dst"));

        assertThat(readDirectly("copy/dst")).isEqualTo(body);
        assertThat(direct.headObject(b -> b.bucket(bucket).key("copy/dst")).metadata())
                .containsEntry("origin", "source");
        assertThat(readDirectly("src")).as("source untouched").isEqualTo(body);
    }

    @Test
    void copyToSelfReplacingMetadata() {
        S3Client s3 = client(ClientFlavour.DEFAULTS);
        byte[] body = Payloads.random(5000);
        s3.putObject(b -> b.bucket(bucket).key("self key").metadata(Map.of("version", "1")), RequestBody.fromBytes(body));

        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self key").destinationBucket(bucket)
                .destinationKey("self key").metadataDirective(MetadataDirective.REPLACE)
                .metadata(Map.of("version", "2", "extra", "yes")).contentType("application/x-test"));

        var head = direct.headObject(b -> b.bucket(bucket).key("self key"));
        assertThat(head.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("version", "2", "extra", "yes"));
        assertThat(head.contentType()).isEqualTo("application/x-test");
        assertThat(readDirectly("self key")).isEqualTo(body);
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void objectTaggingPutGetDelete(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        s3.putObject(b -> b.bucket(bucket).key("tagged"), RequestBody.fromString("t"));
        Tag env = Tag.builder().key("env").value("test").build();
        Tag team = Tag.builder().key("team").value("storage & locks").build();

        Outcome put = Outcome.of(() -> s3.putObjectTagging(b -> b.bucket(bucket).key("tagged")
                .tagging(t -> t.tagSet(env, team))));
        Outcome putDirect = Outcome.of(() -> direct.putObjectTagging(b -> b.bucket(bucket).key("tagged")
                .tagging(t -> t.tagSet(env, team))));
        assertThat(put).as("tagging through the proxy vs. directly").isEqualTo(putDirect);
        if (!put.ok()) {
            return; // backend without tagging: the relayed error was the assertion
        }
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("tagged")).tagSet())
                .containsExactlyInAnyOrder(env, team);
        assertThat(direct.getObjectTagging(b -> b.bucket(bucket).key("tagged")).tagSet())
                .containsExactlyInAnyOrder(env, team);

        s3.deleteObjectTagging(b -> b.bucket(bucket).key("tagged"));
        assertThat(direct.getObjectTagging(b -> b.bucket(bucket).key("tagged")).tagSet()).isEmpty();
    }

    @Test
    void versioningCallsBehaveAsUpstream() {
        S3Client s3 = client(ClientFlavour.DEFAULTS);
        String other = newBucketName();
        direct.createBucket(b -> b.bucket(other));
        try {
            Outcome getViaProxy = Outcome.of(() -> s3.getBucketVersioning(b -> b.bucket(bucket)));
            Outcome getDirect = Outcome.of(() -> direct.getBucketVersioning(b -> b.bucket(other)));
            assertThat(getViaProxy).isEqualTo(getDirect);

            Outcome putViaProxy = Outcome.of(() -> s3.putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED))));
            Outcome putDirect = Outcome.of(() -> direct.putBucketVersioning(b -> b.bucket(other)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED))));
            assertThat(putViaProxy).as("PutBucketVersioning through the proxy vs. directly").isEqualTo(putDirect);
            if (putViaProxy.ok()) {
                assertThat(direct.getBucketVersioning(b -> b.bucket(bucket)).status())
                        .isEqualTo(BucketVersioningStatus.ENABLED);
                assertThat(s3.getBucketVersioning(b -> b.bucket(bucket)).status())
                        .isEqualTo(BucketVersioningStatus.ENABLED);
            }
        } finally {
            removeBucketDirectly(other);
        }
    }
}
