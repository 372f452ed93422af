package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3lockproxy.sigv4.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Browser-form uploads (POST Object) sent by curl through the proxy to a real S3 backend: stored as
 * the signed policy allows, and nothing stored when it does not.
 */
class PostObjectIT extends ProxyTestEnvironment {
    private Path file;

    @BeforeEach
    void needsCurl() throws Exception {
        assumeTrue(Curl.available(), "curl is not on the PATH");
        file = Files.createTempFile("form-", ".bin");
        file.toFile().deleteOnExit();
    }

    /** The policy and SigV4 fields of a form signed with the proxy client's key. */
    private List<Map.Entry<String, String>> signed(List<Map.Entry<String, String>> fields, String... conditions) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String date = now.format(DateTimeFormatter.ofPattern("yyyyMMdd"));
        String credential = accessKey + "/" + date + "/us-east-1/s3/aws4_request";
        String amzDate = now.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
        String json = "{\"expiration\": \"" + now.plusMinutes(10).format(DateTimeFormatter.ofPattern(
                "yyyy-MM-dd'T'HH:mm:ss'Z'")) + "\", \"conditions\": [{\"bucket\": \"" + bucket + "\"}, "
                + "{\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"}, {\"x-amz-credential\": \"" + credential + "\"}, "
                + "{\"x-amz-date\": \"" + amzDate + "\"}, " + String.join(", ", conditions) + "]}";
        String policy = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        List<Map.Entry<String, String>> out = new ArrayList<>(fields);
        out.add(Map.entry("X-Amz-Algorithm", "AWS4-HMAC-SHA256"));
        out.add(Map.entry("X-Amz-Credential", credential));
        out.add(Map.entry("X-Amz-Date", amzDate));
        out.add(Map.entry("Policy", policy));
        out.add(Map.entry("X-Amz-Signature", SigningKey.derive(secretKey, date, "us-east-1", "s3").sign(policy)));
        return out;
    }

    private String bucketUrl() {
        return endpoint + "/" + bucket;
    }

    @Test
    void aFormUploadIsStoredWithItsFieldsAsTheObjectsHeaders() throws Exception {
        byte[] content = Payloads.random(2 * 1024 * 1024 + 17);
        Files.write(file, content);
        var fields = signed(List.of(Map.entry("key", "uploads/${filename}"), Map.entry("Content-Type", "image/png"),
                        Map.entry("x-amz-meta-origin", "browser")),
                "[\"starts-with\", \"$key\", \"uploads/\"]", "[\"starts-with\", \"$Content-Type\", \"image/\"]",
                "{\"x-amz-meta-origin\": \"browser\"}", "[\"content-length-range\", 1, 10485760]");

        Curl.Result r = Curl.postForm(bucketUrl(), fields, file, "photo.png");

        assertThat(r.status()).as(r.bodyText()).isEqualTo(204);
        assertThat(readDirectly("uploads/photo.png")).isEqualTo(content);
        var head = direct.headObject(b -> b.bucket(bucket).key("uploads/photo.png"));
        assertThat(head.contentType()).isEqualTo("image/png");
        assertThat(head.metadata()).containsEntry("origin", "browser");
    }

    @Test
    void aFormThePolicyDoesNotAllowStoresNothing() throws Exception {
        Files.write(file, Payloads.random(5000));
        var outside = signed(List.of(Map.entry("key", "elsewhere/x")), "[\"starts-with\", \"$key\", \"uploads/\"]");
        Curl.Result denied = Curl.postForm(bucketUrl(), outside, file, "x");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.bodyText()).contains("<Code>AccessDenied</Code>");
        assertNotUpstream("elsewhere/x");

        var tooBig = signed(List.of(Map.entry("key", "uploads/big")), "[\"starts-with\", \"$key\", \"uploads/\"]",
                "[\"content-length-range\", 0, 4999]");
        Curl.Result large = Curl.postForm(bucketUrl(), tooBig, file, "big");
        assertThat(large.status()).isEqualTo(400);
        assertThat(large.bodyText()).contains("<Code>EntityTooLarge</Code>");
        assertNotUpstream("uploads/big");

        var forged = signed(List.of(Map.entry("key", "uploads/forged")), "[\"starts-with\", \"$key\", \"uploads/\"]");
        forged.replaceAll(f -> f.getKey().equals("key") ? Map.entry("key", "uploads/other") : f);
        forged.add(Map.entry("x-amz-meta-added", "after signing"));
        Curl.Result extra = Curl.postForm(bucketUrl(), forged, file, "f");
        assertThat(extra.status()).as("a field the signed policy does not cover").isEqualTo(403);
        assertNotUpstream("uploads/other");
    }
}
