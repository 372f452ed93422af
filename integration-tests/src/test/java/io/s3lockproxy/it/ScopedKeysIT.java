package io.s3lockproxy.it;

import static io.s3lockproxy.it.S3ErrorAssert.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * Issue 4, item 3: client keys limited to reading and to a list of buckets, enforced by the proxy.
 * Issue 8, item 5: such keys get no authority over their buckets (configuration, ACLs, grants) unless
 * they are {@code bucketAdmin}, every copy source is checked, and dot segments never move a request
 * into another bucket. The upstream requests pass a recorder, which shows what S3Proxy received.
 */
class ScopedKeysIT extends ProxyTestEnvironment {
    private static final String READER = "reader-key";
    private static final String READER_SECRET = "reader-secret-" + Long.toHexString(System.nanoTime());
    private static final String TEAM = "team-key";
    private static final String TEAM_SECRET = "team-secret-" + Long.toHexString(System.nanoTime());
    private static final String TEAM_ADMIN = "team-admin-key";
    private static final String TEAM_ADMIN_SECRET = "team-admin-secret-" + Long.toHexString(System.nanoTime());
    /** The only bucket the team keys may use; lives as long as the test class. */
    private static final String TEAM_BUCKET = newBucketName();

    private static final String PUBLIC_READ_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + TEAM_BUCKET + "/*\"}]}";

    private S3Client reader;
    private S3Client team;
    private S3Client teamAdmin;
    private UpstreamRecorder recorder;

    @Override
    protected ProxyProcess.Builder configureProxy(ProxyProcess.Builder builder) {
        recorder = UpstreamRecorder.forwardingTo(backend.endpoint());
        return builder
                .upstreamEndpoint(recorder.endpoint().toString())
                .credential(READER, READER_SECRET, "readOnly: true")
                .credential(TEAM, TEAM_SECRET, "buckets: [\"" + TEAM_BUCKET + "\"]")
                .credential(TEAM_ADMIN, TEAM_ADMIN_SECRET, "buckets: [\"" + TEAM_BUCKET + "\"]", "bucketAdmin: true");
    }

    @BeforeAll
    void scopedClients() {
        Assumptions.assumeTrue(proxy != null, "scoped keys are the proxy's own; nothing to test with it.direct");
        direct.createBucket(b -> b.bucket(TEAM_BUCKET));
        reader = Clients.s3(endpoint, READER, READER_SECRET, ClientFlavour.DEFAULTS);
        team = Clients.s3(endpoint, TEAM, TEAM_SECRET, ClientFlavour.DEFAULTS);
        teamAdmin = Clients.s3(endpoint, TEAM_ADMIN, TEAM_ADMIN_SECRET, ClientFlavour.DEFAULTS);
    }

    @AfterAll
    void closeScopedClients() {
        if (reader != null) {
            reader.close();
            team.close();
            teamAdmin.close();
        }
        removeBucketDirectly(TEAM_BUCKET);
        if (recorder != null) {
            recorder.close();
        }
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

    @Test
    void bucketLimitedKeyCannotPublishOrAdministerItsBucket() {
        assertThatThrownBy(() -> team.putObject(b -> b.bucket(TEAM_BUCKET).key("public").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("for everyone"))).satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> team.putObject(b -> b.bucket(TEAM_BUCKET).key("granted")
                .grantRead("uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""), RequestBody.fromString("x")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> team.putBucketAcl(b -> b.bucket(TEAM_BUCKET).acl(BucketCannedACL.PUBLIC_READ)))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> team.getBucketAcl(b -> b.bucket(TEAM_BUCKET)))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> team.putBucketPolicy(b -> b.bucket(TEAM_BUCKET).policy(PUBLIC_READ_POLICY)))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> team.deleteBucket(b -> b.bucket(TEAM_BUCKET)))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));

        // Nothing of it reached S3Proxy, which would have honoured every one.
        assertThat(RawHttp.get(objectUrl(TEAM_BUCKET, "public")).status()).isNotEqualTo(200);
        assertThat(recorder.completedWrites("/" + TEAM_BUCKET + "/public")).isEmpty();
        assertThat(direct.headBucket(b -> b.bucket(TEAM_BUCKET)).sdkHttpResponse().isSuccessful()).isTrue();
        // Ordinary work still goes through, an owner-only canned ACL included.
        team.putObject(b -> b.bucket(TEAM_BUCKET).key("private").acl(ObjectCannedACL.PRIVATE), RequestBody.fromString("p"));
        assertThat(direct.getObjectAsBytes(b -> b.bucket(TEAM_BUCKET).key("private")).asUtf8String()).isEqualTo("p");
    }

    @Test
    void bucketAdminKeyMayAdministerItsBucketButNoOther() {
        teamAdmin.putObject(b -> b.bucket(TEAM_BUCKET).key("published").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("for everyone"));
        RawHttp.Response anonymous = RawHttp.get(objectUrl(TEAM_BUCKET, "published"));
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.bodyText()).isEqualTo("for everyone");
        // S3Proxy has no bucket policies: its own 501 shows the request went past the proxy.
        assertThatThrownBy(() -> teamAdmin.putBucketPolicy(b -> b.bucket(TEAM_BUCKET).policy(PUBLIC_READ_POLICY)))
                .satisfies(e -> assertError(e, 501, "NotImplemented"));
        assertThat(teamAdmin.getBucketAcl(b -> b.bucket(TEAM_BUCKET)).owner()).isNotNull();

        client(ClientFlavour.DEFAULTS).putObject(b -> b.bucket(bucket).key("theirs"), RequestBody.fromString("theirs"));
        assertThatThrownBy(() -> teamAdmin.putBucketAcl(b -> b.bucket(bucket).acl(BucketCannedACL.PUBLIC_READ)))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> teamAdmin.copyObject(b -> b.sourceBucket(bucket).sourceKey("theirs")
                .destinationBucket(TEAM_BUCKET).destinationKey("stolen")))
                .satisfies(e -> assertError(e, 403, "AccessDenied"));
        assertThatThrownBy(() -> teamAdmin.listBuckets()).satisfies(e -> assertError(e, 403, "AccessDenied"));
    }

    @Test
    void dotSegmentsAndEscapedSlashesNeverReachAnotherBucket() {
        client(ClientFlavour.DEFAULTS).putObject(b -> b.bucket(bucket).key("theirs"), RequestBody.fromString("theirs"));
        String escape = "/" + TEAM_BUCKET + "/../" + bucket + "/escaped";

        RawHttp.Response put = HandSigner.sdkSignedPut(URI.create(endpoint + escape), "x".getBytes(StandardCharsets.UTF_8),
                TEAM, TEAM_SECRET, Clock.systemUTC(), false).send();
        // S3Proxy refuses keys with dot segments (400) or, canonicalising the raw path, the signature (403).
        assertThat(put.status()).as(put.bodyText()).isIn(400, 403);
        assertNotUpstream("escaped");
        assertThat(recorder.requests()).as("what reached S3Proxy")
                .anyMatch(r -> r.endsWith(" /" + TEAM_BUCKET + "/%2E%2E/" + bucket + "/escaped"))
                .noneMatch(r -> r.contains("/../") || r.endsWith(" /" + bucket + "/escaped"));

        RawHttp.Response copy = HandSigner.sdkSignedPut(URI.create(endpoint + "/" + TEAM_BUCKET + "/copied"), new byte[0],
                TEAM, TEAM_SECRET, Clock.systemUTC(), false,
                Map.of("x-amz-copy-source", "/" + TEAM_BUCKET + "/../" + bucket + "/theirs")).send();
        assertThat(copy.status()).as(copy.bodyText()).isNotEqualTo(200);
        assertThat(recorder.completedWrites("/" + TEAM_BUCKET + "/copied")).singleElement()
                .satisfies(w -> assertThat(w.header("x-amz-copy-source"))
                        .isEqualTo("/" + TEAM_BUCKET + "/%2E%2E/" + bucket + "/theirs"));
        assertThatThrownBy(() -> direct.headObject(b -> b.bucket(TEAM_BUCKET).key("copied")))
                .isInstanceOfSatisfying(software.amazon.awssdk.services.s3.model.S3Exception.class,
                        e -> assertThat(e.statusCode()).isEqualTo(404));

        RawHttp.Response slash = HandSigner.sdkSignedPut(
                URI.create(endpoint + "/" + TEAM_BUCKET + "%2F..%2F" + bucket + "/escaped"), new byte[0], TEAM,
                TEAM_SECRET, Clock.systemUTC(), false).send();
        assertError(slash, 400, "InvalidURI");
        RawHttp.Response slashedSource = HandSigner.sdkSignedPut(URI.create(endpoint + "/" + TEAM_BUCKET + "/copied"),
                new byte[0], TEAM, TEAM_SECRET, Clock.systemUTC(), false,
                Map.of("x-amz-copy-source", TEAM_BUCKET + "%2F..%2F" + bucket + "/theirs")).send();
        assertError(slashedSource, 400, "InvalidArgument");
        assertNotUpstream("escaped");
    }

    private URI objectUrl(String bucketName, String key) {
        return URI.create(backend.endpoint() + "/" + bucketName + "/" + key);
    }
}
