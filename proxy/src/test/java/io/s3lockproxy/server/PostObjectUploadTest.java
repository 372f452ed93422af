package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.TestClient.Response;
import io.s3lockproxy.sigv4.SigV2;
import io.s3lockproxy.sigv4.SigningKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Browser-form uploads (POST Object) go upstream as the PutObject they stand for — locked, signed by
 * the proxy, the form's fields as headers, the file's bytes as the body — and only when the form's
 * signature and policy hold; the client gets S3's answer to a form.
 */
@Timeout(30)
class PostObjectUploadTest {
    private static final String BOUNDARY = "9431149156168";
    private FakeUpstream upstream;
    private ProxyServer proxy;
    private final LockMetrics lockMetrics = new LockMetrics();

    private int start(Map<String, String> more) throws Exception {
        upstream = new FakeUpstream();
        Map<String, String> env = new HashMap<>(more);
        env.put("S3LP_LOCK_MODE", "serialize");
        var config = TestEnvironment.config(upstream.endpoint(), env);
        proxy = ProxyServer.start(config, LockServices.create(config.lock(), lockMetrics));
        return proxy.port();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String policy(String... conditions) {
        String expiration = ZonedDateTime.now(ZoneOffset.UTC).plusHours(1)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        String json = "{\"expiration\": \"" + expiration + "\", \"conditions\": [" + String.join(", ", conditions) + "]}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The SigV4 fields of a form whose policy is {@code policy}, signed with TestClient's key. */
    private static Map<String, String> signedV4(Map<String, String> fields, String policy) {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd"));
        Map<String, String> out = new LinkedHashMap<>(fields);
        out.put("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
        out.put("X-Amz-Credential", TestClient.ACCESS_KEY + "/" + date + "/us-east-1/s3/aws4_request");
        out.put("X-Amz-Date", date + "T000000Z");
        out.put("Policy", policy);
        out.put("X-Amz-Signature", SigningKey.derive(TestClient.SECRET_KEY, date, "us-east-1", "s3").sign(policy));
        return out;
    }

    private static byte[] form(Map<String, String> fields, String fileName, byte[] file, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] form(Map<String, String> fields, byte[] file) {
        return form(fields, "photo.jpg", file, "\r\n--" + BOUNDARY + "--\r\n");
    }

    /** Sends {@code body} as a form POST to /bucket in pieces of {@code piece} bytes; returns the answer. */
    private static Response post(int port, byte[] body, int piece) throws Exception {
        try (TestClient client = new TestClient(port)) {
            client.send("POST /bucket HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: multipart/form-data;"
                    + " boundary=" + BOUNDARY + "\r\nContent-Length: " + body.length + "\r\n\r\n");
            for (int i = 0; i < body.length; i += piece) {
                client.send(java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + piece)));
                Thread.sleep(1);
            }
            return client.read(false);
        }
    }

    private static byte[] fileBytes(int n) {
        byte[] b = new byte[n];
        // Nearly the delimiter, which a form's content never contains.
        byte[] pattern = ("\r\n--" + BOUNDARY.substring(1) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            b[i] = i % 97 < pattern.length ? pattern[i % 97] : (byte) i;
        }
        return b;
    }

    @Test
    void aSignedFormBecomesALockedSignedPutOfItsKeyWithItsFieldsAsHeaders() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.full(200, Map.of("ETag", "\"e1\"", "Content-Length", "0"), new byte[0]));
        String policy = policy("{\"bucket\": \"bucket\"}", "[\"starts-with\", \"$key\", \"user/\"]",
                "{\"acl\": \"private\"}", "[\"starts-with\", \"$Content-Type\", \"image/\"]",
                "[\"eq\", \"$x-amz-meta-note\", \"hello\"]", "[\"content-length-range\", 1, 100000]",
                "[\"starts-with\", \"$x-amz-credential\", \"\"]", "[\"starts-with\", \"$x-amz-algorithm\", \"\"]",
                "[\"starts-with\", \"$x-amz-date\", \"\"]");
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", "user/${filename}");
        fields.put("acl", "private");
        fields.put("Content-Type", "image/jpeg");
        fields.put("x-amz-meta-note", "hello");
        byte[] file = fileBytes(50_000);

        Response r = post(port, form(signedV4(fields, policy), file), 777);

        assertThat(r.status()).as(r.bodyText()).isEqualTo(204);
        assertThat(r.header("etag")).isEqualTo("\"e1\"");
        assertThat(r.header("location")).isEqualTo("http://127.0.0.1:" + port + "/bucket/user/photo.jpg");
        Received put = upstream.take();
        assertThat(put.requestLine()).startsWith("PUT /bucket/user/photo.jpg ");
        assertThat(put.header("authorization")).as("signed by the proxy").contains("Credential=upstream-key/");
        assertThat(put.header("content-type")).isEqualTo("image/jpeg");
        assertThat(put.header("x-amz-acl")).isEqualTo("private");
        assertThat(put.header("x-amz-meta-note")).isEqualTo("hello");
        assertThat(put.headers()).doesNotContainKeys("x-amz-signature", "policy", "x-amz-meta-policy");
        assertThat(put.complete()).isTrue();
        assertThat(put.body()).as("the file's bytes, nothing of the form").isEqualTo(file);
        assertThat(lockMetrics.acquisitions()).as("the form's key was locked").isEqualTo(1);
    }

    @Test
    void aSigV2FormAsksForTheAnswerItWants() throws Exception {
        int port = start(Map.of("S3LP_AUTH_SIGV2", "true"));
        String policy = policy("{\"bucket\": \"bucket\"}", "{\"key\": \"k\"}", "{\"success_action_status\": \"201\"}",
                "[\"starts-with\", \"$success_action_redirect\", \"\"]");
        upstream.enqueue(FakeUpstream.full(200, Map.of("ETag", "\"e2\"", "Content-Length", "0"), new byte[0]));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", "k");
        fields.put("AWSAccessKeyId", TestClient.ACCESS_KEY);
        fields.put("policy", policy);
        fields.put("signature", SigV2.sign(TestClient.SECRET_KEY, policy));
        fields.put("success_action_status", "201");
        Response created = post(port, form(fields, "abc".getBytes(StandardCharsets.UTF_8)), 10_000);
        assertThat(created.status()).as(created.bodyText()).isEqualTo(201);
        assertThat(created.bodyText()).contains("<Location>http://127.0.0.1:" + port + "/bucket/k</Location>"
                + "<Bucket>bucket</Bucket><Key>k</Key><ETag>\"e2\"</ETag>");

        upstream.enqueue(FakeUpstream.full(200, Map.of("ETag", "\"e3\"", "Content-Length", "0"), new byte[0]));
        fields.put("success_action_redirect", "https://app.example/done?x=1");
        Response redirected = post(port, form(fields, "abc".getBytes(StandardCharsets.UTF_8)), 10_000);
        assertThat(redirected.status()).isEqualTo(303);
        assertThat(redirected.header("location")).isEqualTo("https://app.example/done?x=1&bucket=bucket&key=k&etag=%22e3%22");
        assertThat(upstream.take().body()).asString(StandardCharsets.UTF_8).isEqualTo("abc");
        assertThat(upstream.take().body()).asString(StandardCharsets.UTF_8).isEqualTo("abc");
    }

    @Test
    void aFormItsPolicyDoesNotAllowWritesNothing() throws Exception {
        int port = start(Map.of());
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", "other/x");
        Map<String, String> signed = signedV4(fields, policy("{\"bucket\": \"bucket\"}",
                "[\"starts-with\", \"$key\", \"user/\"]", "[\"starts-with\", \"$x-amz-credential\", \"\"]",
                "[\"starts-with\", \"$x-amz-algorithm\", \"\"]", "[\"starts-with\", \"$x-amz-date\", \"\"]"));
        Response refused = post(port, form(signed, fileBytes(100)), 50);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.bodyText()).contains("<Code>AccessDenied</Code>", "Policy Condition failed");

        signed.put("X-Amz-Signature", "0".repeat(64));
        signed.put("key", "user/x");
        Response forged = post(port, form(signed, fileBytes(100)), 50);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.bodyText()).contains("<Code>SignatureDoesNotMatch</Code>");
        assertThat(upstream.poll(300)).as("nothing reached the upstream").isNull();
        assertThat(lockMetrics.acquisitions()).isZero();
    }

    @Test
    void aFormThatDoesNotEndWithItsFileNeverCompletesUpstream() throws Exception {
        int port = start(Map.of());
        for (int size : new int[] {100, 100_000}) {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("key", "k");
            Map<String, String> signed = signedV4(fields, policy("{\"bucket\": \"bucket\"}", "{\"key\": \"k\"}",
                    "[\"starts-with\", \"$x-amz-credential\", \"\"]", "[\"starts-with\", \"$x-amz-algorithm\", \"\"]",
                    "[\"starts-with\", \"$x-amz-date\", \"\"]"));
            byte[] body = form(signed, "f", fileBytes(size), "\r\n--" + BOUNDARY
                    + "\r\nContent-Disposition: form-data; name=\"late\"\r\n\r\nv\r\n--" + BOUNDARY + "--\r\n");
            Response r = post(port, body, 4096);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>MalformedPOSTRequest</Code>");
            Received partial = upstream.poll(500);
            assertThat(partial == null || !partial.complete()).as("the upstream never got the whole file (%d)", size)
                    .isTrue();
        }
    }

    @Test
    void anUnsignedFormGoesUpUnsignedOrIsRefused() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.full(200, Map.of("ETag", "\"e4\"", "Content-Length", "0"), new byte[0]));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", "${filename}");
        fields.put("acl", "public-read");
        Response r = post(port, form(fields, "abc".getBytes(StandardCharsets.UTF_8)), 10_000);
        assertThat(r.status()).isEqualTo(204);
        Received put = upstream.take();
        assertThat(put.requestLine()).startsWith("PUT /bucket/photo.jpg ");
        assertThat(put.headers()).doesNotContainKey("authorization");
        assertThat(put.header("x-amz-acl")).isEqualTo("public-read");
        proxy.close();
        upstream.close();

        port = start(Map.of("S3LP_AUTH_ANONYMOUS", "deny"));
        Response denied = post(port, form(fields, "abc".getBytes(StandardCharsets.UTF_8)), 10_000);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(upstream.poll(300)).isNull();
    }
}
