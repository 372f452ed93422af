package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.TestClient.Response;
import io.s3lockproxy.sigv4.SigV2;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests signed with SigV2 reach the upstream re-signed like any other; requests without any
 * signature reach it unsigned (auth.anonymous: forward), so the upstream's own rules decide, and
 * their writes still take locks.
 */
@Timeout(30)
class LegacyAndAnonymousClientsTest {
    private FakeUpstream upstream;
    private ProxyServer proxy;
    private final LockMetrics lockMetrics = new LockMetrics();

    private int start(Map<String, String> more) throws Exception {
        upstream = new FakeUpstream();
        Map<String, String> env = new HashMap<>(more);
        env.putIfAbsent("S3LP_LOCK_MODE", "fenced");
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

    private static String raw(String method, String path, String... headerLines) {
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headerLines) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    @Test
    void anAnonymousReadGoesUpUnsignedAndItsAnswerIsRelayed() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.full(403, Map.of(), "<Error><Code>AccessDenied</Code></Error>".getBytes(
                StandardCharsets.UTF_8)));
        try (TestClient client = new TestClient(port)) {
            client.send(raw("GET", "/bucket/public.txt"));
            Response r = client.read(false);
            assertThat(r.status()).as("the upstream's own answer").isEqualTo(403);
            assertThat(r.bodyText()).contains("AccessDenied");
        }
        Received get = upstream.take();
        assertThat(get.requestLine()).startsWith("GET /bucket/public.txt ");
        assertThat(get.headers()).doesNotContainKeys("authorization", "x-amz-date", "x-amz-content-sha256");
        assertThat(get.header("host")).isEqualTo("127.0.0.1:" + upstream.port());
    }

    @Test
    void aCorsPreflightOnAPresignedUrlGoesUpUnsignedAndUnverified() throws Exception {
        int port = start(Map.of("S3LP_AUTH_ANONYMOUS", "deny"));
        upstream.enqueue(FakeUpstream.full(200, Map.of("Access-Control-Allow-Origin", "https://app.example"),
                new byte[0]));
        try (TestClient client = new TestClient(port)) {
            client.send(raw("OPTIONS", "/bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=client-key%2F20261201"
                    + "%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261201T000000Z&X-Amz-Expires=100&X-Amz-SignedHeaders=host"
                    + "&X-Amz-Signature=bogus&Signature=v2&AWSAccessKeyId=k&Expires=1&uploads",
                    "Origin: https://app.example", "Access-Control-Request-Method: GET"));
            Response r = client.read(false);
            assertThat(r.status()).as("answered by the upstream's CORS rules, not by a signature check").isEqualTo(200);
            assertThat(r.header("access-control-allow-origin")).isEqualTo("https://app.example");
        }
        Received preflight = upstream.take();
        assertThat(preflight.requestLine()).as("the URL's signature parameters stay behind, the rest goes up")
                .startsWith("OPTIONS /bucket/k?uploads").doesNotContain("X-Amz-", "Signature", "AWSAccessKeyId", "Expires");
        assertThat(preflight.headers()).doesNotContainKeys("authorization", "x-amz-date");
    }

    @Test
    void aRenameWhoseSecondKeyTheProxyCannotLockIsRefusedAsNotImplemented() throws Exception {
        int port = start(Map.of());
        try (TestClient client = new TestClient(port)) {
            Response rename = client.exchange("PUT", "/bucket/new?renameObject", new byte[0],
                    Map.of("x-amz-rename-source", "/bucket/old"));
            assertThat(rename.status()).isEqualTo(501);
            assertThat(rename.bodyText()).contains("RenameObject");
        }
        assertThat(upstream.poll(300)).as("nothing reached the upstream").isNull();
    }

    @Test
    void anAnonymousWriteTakesTheLockButTheProxyReadsNothingForIt() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            client.send(raw("PUT", "/bucket/drop.txt", "Content-Length: 3", "If-Match: \"e1\""));
            client.send("abc".getBytes(StandardCharsets.UTF_8));
            assertThat(client.read(false).status()).isEqualTo(200);
        }
        Received put = upstream.take();
        assertThat(put.requestLine()).as("no probe, no HEAD with the proxy's credentials").startsWith("PUT /bucket/drop.txt ");
        assertThat(put.headers()).doesNotContainKey("authorization");
        assertThat(put.header("if-match")).as("its own condition goes up as sent").isEqualTo("\"e1\"");
        assertThat(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(lockMetrics.acquisitions()).isEqualTo(1);
    }

    @Test
    void anAnonymousWriteWaitingFor100ContinueHearsTheUpstreamsRefusalInsteadAndSendsNoBody() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(new FakeUpstream.AnswerBeforeBody(403, "AccessDenied"));
        try (TestClient client = new TestClient(port)) {
            client.send(raw("PUT", "/bucket/private.txt", "Content-Length: 3", "Expect: 100-continue"));
            Response r = client.read(false);
            assertThat(r.status()).as("the upstream's refusal, not a 100 Continue of the proxy's").isEqualTo(403);
            assertThat(r.bodyText()).contains("<Code>AccessDenied</Code>");
            assertThat(client.closedByServer()).as("the body it held back will never be read").isTrue();
        }
        Received put = upstream.take();
        assertThat(put.header("expect")).isEqualTo("100-continue");
        assertThat(lockMetrics.heldLocks()).isZero();
    }

    /** An unsigned PUT that waits for 100 Continue before its body; it must be answered 100, then 200. */
    private static void putAfter100Continue(int port) throws Exception {
        try (TestClient client = new TestClient(port)) {
            client.send(raw("PUT", "/bucket/public.txt", "Content-Length: 3", "Expect: 100-continue"));
            assertThat(client.read(false).status()).isEqualTo(100);
            client.send("abc".getBytes(StandardCharsets.UTF_8));
            assertThat(client.read(false).status()).isEqualTo(200);
        }
    }

    @Test
    void anAnonymousWriteWaitingFor100ContinueGetsItWhenTheUpstreamGivesIt() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.ok());
        putAfter100Continue(port);
        Received put = upstream.take();
        assertThat(put.header("expect")).isEqualTo("100-continue");
        assertThat(put.complete()).isTrue();
        assertThat(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo("abc");
    }

    @Test
    void anAnonymousWriteWaitingFor100ContinueGetsItFromTheProxyWhenTheUpstreamStaysSilent() throws Exception {
        int port = start(Map.of());
        upstream.ignoreExpectContinue();
        upstream.enqueue(FakeUpstream.ok());
        putAfter100Continue(port);
        assertThat(new String(upstream.take().body(), StandardCharsets.UTF_8)).isEqualTo("abc");
    }

    @Test
    void aSignedWriteHearsTheProxys100ContinueAndTheUpstreamNoExpect() throws Exception {
        int port = start(Map.of("S3LP_LOCK_MODE", "serialize"));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            byte[] body = "abc".getBytes(StandardCharsets.UTF_8);
            client.send(client.signedHead("PUT", "/bucket/signed.txt", Map.of("Content-Length", "3",
                    "Expect", "100-continue"), body, Map.of()));
            assertThat(client.read(false).status()).isEqualTo(100);
            client.send(body);
            assertThat(client.read(false).status()).isEqualTo(200);
        }
        Received put = upstream.take();
        assertThat(put.headers()).as("the proxy verified the signature; the upstream is not asked").doesNotContainKey("expect");
    }

    @Test
    void anonymousRequestsAreRefusedWhenDenied() throws Exception {
        int port = start(Map.of("S3LP_AUTH_ANONYMOUS", "deny"));
        try (TestClient client = new TestClient(port)) {
            client.send(raw("GET", "/bucket/public.txt"));
            assertThat(client.read(false).status()).isEqualTo(403);
        }
        assertThat(upstream.poll(300)).isNull();
    }

    @Test
    void aSigV2RequestIsVerifiedAndReSignedWithSigV4() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.full(200, Map.of("Content-Length", "2"), "hi".getBytes(StandardCharsets.UTF_8)));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        String signature = SigV2.sign(TestClient.SECRET_KEY, SigV2.stringToSign("GET", "", "", date,
                SigV2.canonicalAmzHeaders(List.of()), SigV2.canonicalResource(null, "/bucket/v2.txt", List.of())));
        try (TestClient client = new TestClient(port)) {
            client.send(raw("GET", "/bucket/v2.txt", "Date: " + date,
                    "Authorization: AWS " + TestClient.ACCESS_KEY + ":" + signature));
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("hi");
            client.send(raw("GET", "/bucket/v2.txt", "Date: " + date,
                    "Authorization: AWS " + TestClient.ACCESS_KEY + ":" + (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1)));
            assertThat(client.read(false).status()).isEqualTo(403);
        }
        Received get = upstream.take();
        assertThat(get.header("authorization")).startsWith("AWS4-HMAC-SHA256 Credential=upstream-key/");
        assertThat(upstream.poll(300)).as("the bad signature never reached the upstream").isNull();
    }
}
