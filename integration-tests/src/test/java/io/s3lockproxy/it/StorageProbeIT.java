package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The fencing probe against the real store: what {@code /locks} reports for copies and multipart
 * completions is what the store does with an {@code If-Match} onto a missing key, asked directly;
 * and nothing of the probe — no object, no upload — is left in the bucket.
 */
class StorageProbeIT extends ProxyTestEnvironment {
    private static final String NO_SUCH_ETAG = "\"00000000000000000000000000000000\"";

    @Test
    void whatTheProbeReportsForCopiesAndCompletionsIsWhatTheStoreDoesAndItLeavesNothing() throws Exception {
        Assumptions.assumeTrue(proxy != null, "the probe is the proxy's own; nothing to test with it.direct");
        S3Client s3 = client(ClientFlavour.DEFAULTS);
        s3.putObject(b -> b.bucket(bucket).key("src"), RequestBody.fromString("source"));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("dst"));
        assertThat(readDirectly("dst")).isEqualTo("source".getBytes());

        String locks = proxy.locksJson(Duration.ofSeconds(10));
        String facts = bucketFacts(locks);
        boolean writesChecked = !fact(facts, "writes").equals("not enforced");
        assertThat(fact(facts, "copies").equals("not enforced")).as("copies in %s", locks)
                .isEqualTo(!writesChecked || !directCopyOntoMissingKeyIsRefused());
        assertThat(fact(facts, "completes").equals("not enforced")).as("completions in %s", locks)
                .isEqualTo(!writesChecked || !directCompletionOntoMissingKeyIsRefused());

        assertThat(direct.listObjectsV2(b -> b.bucket(bucket).prefix(".s3-lock-proxy/")).contents())
                .as("no probe object left").isEmpty();
        assertThat(direct.listMultipartUploads(b -> b.bucket(bucket)).uploads()).as("no probe upload left").isEmpty();
    }

    /** The storageProtection object of this test's bucket in {@code /locks}. */
    private String bucketFacts(String locksJson) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(bucket) + "\":\\{([^}]*)}").matcher(locksJson);
        assertThat(m.find()).as("bucket %s in %s", bucket, locksJson).isTrue();
        return m.group(1);
    }

    private static String fact(String facts, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(facts);
        assertThat(m.find()).as("%s in %s", name, facts).isTrue();
        return m.group(1);
    }

    private boolean directCopyOntoMissingKeyIsRefused() {
        try {
            direct.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket)
                    .destinationKey("direct-copy").overrideConfiguration(o -> o.putHeader("If-Match", NO_SUCH_ETAG)));
        } catch (S3Exception e) {
            return e.statusCode() == 412 || e.statusCode() == 404 || e.statusCode() == 409;
        }
        direct.deleteObject(b -> b.bucket(bucket).key("direct-copy"));
        return false;
    }

    private boolean directCompletionOntoMissingKeyIsRefused() {
        String key = "direct-upload";
        String upload = direct.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String etag = direct.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload).partNumber(1),
                RequestBody.fromString("x")).eTag();
        try {
            direct.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build()))
                    .overrideConfiguration(o -> o.putHeader("If-Match", NO_SUCH_ETAG)));
        } catch (S3Exception e) {
            direct.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload));
            return e.statusCode() == 412 || e.statusCode() == 404 || e.statusCode() == 409;
        }
        direct.deleteObject(b -> b.bucket(bucket).key(key));
        return false;
    }
}
