package io.s3lockproxy.it;

import static io.s3lockproxy.it.S3ErrorAssert.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Issue 4, item 3: client keys limited to reading and to a list of buckets, enforced by the proxy. */
class ScopedKeysIT extends ProxyTestEnvironment {
    private static final String READER = "reader-key";
    private static final String READER_SECRET = "reader-secret-" + Long.toHexString(System.nanoTime());
    private static final String TEAM = "team-key";
    private static final String TEAM_SECRET = "team-secret-" + Long.toHexString(System.nanoTime());
    /** The only bucket the team key may use; lives as long as the test class. */
    private static final String TEAM_BUCKET = newBucketName();

    private S3Client reader;
    private S3Client team;

    @Override
    protected ProxyProcess.Builder configureProxy(ProxyProcess.Builder builder) {
        return builder
                .credential(READER, READER_SECRET, "readOnly: true")
                .credential(TEAM, TEAM_SECRET, "buckets: [\"" + TEAM_BUCKET + "\"]");
    }

    @BeforeAll
    void scopedClients() {
        Assumptions.assumeTrue(proxy != null, "scoped keys are the proxy's own; nothing to test with it.direct");
        direct.createBucket(b -> b.bucket(TEAM_BUCKET));
        reader = Clients.s3(endpoint, READER, READER_SECRET, ClientFlavour.DEFAULTS);
        team = Clients.s3(endpoint, TEAM, TEAM_SECRET, ClientFlavour.DEFAULTS);
    }

    @AfterAll
    void closeScopedClients() {
        if (reader != null) {
            reader.close();
            team.close();
        }
        removeBucketDirectly(TEAM_BUCKET);
    }

    @Test
    void readOnlyKeyReadsAndListsButCannotWrite() {
        client(ClientFlavour.DEFAULTS).putObject(b -> b.bucket(bucket).key("doc"), RequestBody.fromString("v1"));

        assertThat(reader.getObjectAsBytes(b -> b.bucket(bucket).key("doc")).asString(StandardCharsets.UTF_8)).isEqualTo("v1");
        assertThat(reader.headObject(b -> b.bucket(bucket).key("doc")).contentLength()).isEqualTo(2);
        assertThat(reader.listObjectsV2(b -> b.bucket(bucket)).contents()).hasSize(1);

        assertThatThrownBy(() -> reader.putObject(b -> b.bucket(bucket).key("doc"), RequestBody.fromString("v2")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> reader.putObject(b -> b.bucket(bucket).key("new"), RequestBody.fromString("x")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> reader.deleteObject(b -> b.bucket(bucket).key("doc")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> reader.createMultipartUpload(b -> b.bucket(bucket).key("mp")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));

        assertThat(new String(readDirectly("doc"), StandardCharsets.UTF_8)).isEqualTo("v1");
        assertNotUpstream("new");
    }

    @Test
    void bucketLimitedKeyWorksInItsBucketOnly() {
        team.putObject(b -> b.bucket(TEAM_BUCKET).key("k"), RequestBody.fromString("mine"));
        assertThat(team.getObjectAsBytes(b -> b.bucket(TEAM_BUCKET).key("k")).asUtf8String()).isEqualTo("mine");
        assertThat(team.listObjectsV2(b -> b.bucket(TEAM_BUCKET)).contents()).extracting(o -> o.key()).contains("k");

        client(ClientFlavour.DEFAULTS).putObject(b -> b.bucket(bucket).key("theirs"), RequestBody.fromString("theirs"));
        assertThatThrownBy(() -> team.getObjectAsBytes(b -> b.bucket(bucket).key("theirs")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> team.putObject(b -> b.bucket(bucket).key("intruder"), RequestBody.fromString("x")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> team.listObjectsV2(b -> b.bucket(bucket)))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        // A copy out of a foreign bucket into the allowed one is a read of the foreign bucket.
        assertThatThrownBy(() -> team.copyObject(b -> b.sourceBucket(bucket).sourceKey("theirs")
                .destinationBucket(TEAM_BUCKET).destinationKey("stolen")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        // ListBuckets would name every bucket: denied for bucket-limited keys.
        assertThatThrownBy(() -> team.listBuckets()).satisfies(e -> assertError(e, 403, "AccessDenied"));

        assertNotUpstream("intruder");
        assertThatThrownBy(() -> direct.headObject(b -> b.bucket(TEAM_BUCKET).key("stolen")))
                .isInstanceOfSatisfying(software.amazon.awssdk.services.s3.model.S3Exception.class,
                        e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void unlimitedKeyIsUnaffected() {
        S3Client admin = client(ClientFlavour.DEFAULTS);
        admin.putObject(b -> b.bucket(TEAM_BUCKET).key("by-admin"), RequestBody.fromString("a"));
        assertThat(admin.listBuckets().buckets()).extracting(b -> b.name()).contains(bucket, TEAM_BUCKET);
    }
}
