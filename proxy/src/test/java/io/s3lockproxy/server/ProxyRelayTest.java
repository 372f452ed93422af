package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.TestClient.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real {@link ProxyServer} between a raw client and a scripted fake upstream. */
@Timeout(30)
class ProxyRelayTest {
    private FakeUpstream upstream;
    private ProxyServer proxy;

    @BeforeAll
    static void paranoidLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private int start(String endpoint, long readTimeoutMs) throws InterruptedException {
        Map<String, String> env = new HashMap<>();
        // The scripted upstream answers the relayed requests only: no fencing probe, no HEAD.
        env.put("S3LP_LOCK_MODE", "serialize");
        env.put("S3LP_UPSTREAM_CONNECTTIMEOUTMS", "2000");
        env.put("S3LP_UPSTREAM_READTIMEOUTMS", Long.toString(readTimeoutMs));
        ProxyConfig config = TestEnvironment.config(endpoint, env);
        proxy = ProxyServer.start(config);
        return proxy.port();
    }

    private int start() throws Exception {
        upstream = new FakeUpstream();
        return start(upstream.endpoint(), 5000);
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void putReachesTheUpstreamResignedWithoutClientOnlyHeaders() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.ok());
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/dir/k%C3%A9y?x-id=PutObject",
                    Map.of("Content-Length", "5", "x-amz-meta-a", "1"), body,
                    Map.of("User-Agent", "test/1", "amz-sdk-invocation-id", "abc")));
            client.send(body);
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("etag")).isEqualTo("\"etag\"");
        }
        Received got = upstream.take();
        assertThat(got.requestLine()).isEqualTo("PUT /bucket/dir/k%C3%A9y?x-id=PutObject HTTP/1.1");
        assertThat(got.body()).isEqualTo(body);
        assertThat(got.header("authorization")).contains("Credential=upstream-key/");
        assertThat(got.header("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(got.header("x-amz-meta-a")).isEqualTo("1");
        assertThat(got.headers()).doesNotContainKeys("user-agent", "amz-sdk-invocation-id", "expect");
    }

    @Test
    void dotSegmentsOfKeysAndCopySourcesReachTheUpstreamEscapedSoNoServerResolvesThem() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.ok());
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            assertThat(client.exchange("PUT", "/bucket/../other/k", new byte[0]).status()).isEqualTo(200);
            assertThat(client.exchange("PUT", "/bucket/k", new byte[0],
                    Map.of("x-amz-copy-source", "bucket/./a/%2e%2e/src%20x?versionId=v%201")).status()).isEqualTo(200);
        }
        Received put = upstream.take();
        assertThat(put.requestLine()).isEqualTo("PUT /bucket/%2E%2E/other/k HTTP/1.1");
        Received copy = upstream.take();
        assertThat(copy.requestLine()).isEqualTo("PUT /bucket/k HTTP/1.1");
        assertThat(copy.header("x-amz-copy-source")).isEqualTo("/bucket/%2E/a/%2E%2E/src%20x?versionId=v%201");
    }

    @Test
    void aPathWhoseBucketSegmentIsADotSegmentOrHoldsASlashIs400AndNeverReachesTheUpstream() throws Exception {
        int port = start();
        try (TestClient client = new TestClient(port)) {
            for (String path : new String[] {"/bucket%2F..%2Fother/k", "/../other/k", "/%2E%2E/other/k", "/./k",
                    "/bucket%5Cx/k", "//k"}) {
                Response r = client.exchange("PUT", path, new byte[0]);
                assertThat(r.status()).as(path).isEqualTo(400);
                assertThat(r.bodyText()).as(path).contains("<Code>InvalidURI</Code>");
            }
            Response badSource = client.exchange("PUT", "/bucket/k", new byte[0],
                    Map.of("x-amz-copy-source", "bucket%2F..%2Fother/k"));
            assertThat(badSource.status()).isEqualTo(400);
            assertThat(badSource.bodyText()).contains("<Code>InvalidArgument</Code>");
        }
        assertThat(upstream.connections()).isZero();
    }

    @Test
    void expectContinueIsAnsweredAfterAuthenticationAndTheBodyIsRelayed() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.ok());
        byte[] body = bytes(1000, 1);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Content-Length", "1000"), body,
                    Map.of("Expect", "100-continue")));
            Response cont = client.read(false);
            assertThat(cont.status()).isEqualTo(100);
            client.send(body);
            assertThat(client.read(false).status()).isEqualTo(200);
        }
        Received got = upstream.take();
        assertThat(got.body()).isEqualTo(body);
        assertThat(got.header("expect")).isNull();
    }

    @Test
    void badSignatureWithExpectGets403AtOnceWithoutContinueAndClosed() throws Exception {
        int port = start();
        byte[] body = bytes(1000, 1);
        try (TestClient client = new TestClient(port)) {
            String head = client.signedHead("PUT", "/bucket/key", Map.of("Content-Length", "1000"), body,
                    Map.of("Expect", "100-continue"));
            int at = head.indexOf("Signature=") + "Signature=".length();
            char flipped = head.charAt(at) == '0' ? '1' : '0';
            client.send(head.substring(0, at) + flipped + head.substring(at + 1));
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.bodyText()).contains("<Code>SignatureDoesNotMatch</Code>");
            assertThat(r.header("x-amz-request-id")).isNotBlank();
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(upstream.connections()).isZero();
    }

    /** Sends {@code body} as HTTP/1.1 chunks of at most {@code chunk} bytes, then the final empty chunk if {@code end}. */
    private static void sendChunked(TestClient client, byte[] body, int chunk, boolean end) throws IOException {
        for (int at = 0; at < body.length; at += chunk) {
            int n = Math.min(chunk, body.length - at);
            client.send((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            client.send(Arrays.copyOfRange(body, at, at + n));
            client.send("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (end) {
            client.send("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void chunkedPutWithoutLengthIsRelayedInChunksWhoseEndTheUpstreamGetsLast() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.ok());
        byte[] body = bytes(300_000, 2);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Transfer-Encoding", "chunked"), body, Map.of()));
            sendChunked(client, body, 70_000, true);
            Response r = client.read(false);
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        }
        Received got = upstream.take();
        assertThat(got.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(got.headers()).doesNotContainKey("content-length");
        assertThat(got.header("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(got.complete()).isTrue();
        assertThat(got.body()).isEqualTo(body);
    }

    @Test
    void aPutWithBothContentLengthAndChunkedIs400AndNeverReachesTheUpstream() throws Exception {
        int port = start();
        byte[] body = bytes(5_000, 9);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Transfer-Encoding", "chunked"), body,
                    Map.of("Content-Length", "7")));
            sendChunked(client, body, 2_000, true);
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>InvalidRequest</Code>");
            assertThat(r.header("connection")).isEqualTo("close");
        }
        assertThat(upstream.connections()).isZero();
    }

    @Test
    void chunkedPutWhoseBodyFailsItsHashNeverSendsTheFinalChunk() throws Exception {
        int port = start();
        int size = 400_000;
        byte[] signedFor = bytes(size, 3);
        byte[] sent = signedFor.clone();
        sent[size - 1] ^= 1;
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Transfer-Encoding", "chunked"), signedFor,
                    Map.of()));
            sendChunked(client, sent, 64 * 1024, true);
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>XAmzContentSHA256Mismatch</Code>");
        }
        Received got = upstream.take();
        assertThat(got).isNotNull();
        assertThat(got.complete()).isFalse();
        assertThat(got.body().length).isLessThan(size);
        assertThat(got.body()).isEqualTo(Arrays.copyOf(sent, got.body().length));
    }

    @Test
    void chunkedPutWhoseClientVanishesBeforeTheFinalChunkNeverCompletesUpstream() throws Exception {
        int port = start();
        byte[] body = bytes(300_000, 5);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Transfer-Encoding", "chunked"), body, Map.of()));
            sendChunked(client, body, 100_000, false);
            assertThat(upstream.takeHead()).startsWith("PUT /bucket/key");
        }
        Received got = upstream.take();
        assertThat(got).isNotNull();
        assertThat(got.complete()).isFalse();
    }

    @Test
    void anUpstreamThatDoesNotTakeChunkedBodiesHasItsRefusalRelayed() throws Exception {
        int port = start();
        upstream.enqueue(new FakeUpstream.AnswerBeforeBody(501, "NotImplemented"));
        byte[] body = bytes(200_000, 6);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Transfer-Encoding", "chunked"), body, Map.of()));
            try {
                sendChunked(client, body, 50_000, true);
            } catch (IOException e) {
                // the proxy closed after answering: the answer is still there to read
            }
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(501);
            assertThat(r.bodyText()).contains("<Code>NotImplemented</Code>");
        }
        assertThat(upstream.take().header("transfer-encoding")).isEqualTo("chunked");
    }

    @Test
    void aTransferCodingOtherThanChunkedAloneIs501AndNeverReachesTheUpstream() throws Exception {
        int port = start();
        byte[] body = bytes(1000, 7);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Transfer-Encoding", "gzip, chunked"), body,
                    Map.of()));
            sendChunked(client, body, 500, true);
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(501);
            assertThat(r.bodyText()).contains("<Code>NotImplemented</Code>").contains("<Header>Transfer-Encoding</Header>");
        }
        assertThat(upstream.connections()).isZero();
    }

    @Test
    void aMalformedChunkEndsTheWriteUnsentEvenWhenWhatCameBeforeItMatchesTheSignedHash() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.ok());
        byte[] before = bytes(100_000, 8);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Transfer-Encoding", "chunked"), before,
                    Map.of()));
            sendChunked(client, before, 50_000, false);
            client.send("zz\r\nnot a chunk\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>IncompleteBody</Code>");
            assertThat(r.header("connection")).isEqualTo("close");
        }
        Received got = upstream.take();
        assertThat(got).isNotNull();
        assertThat(got.complete()).as("the upstream must never get the final chunk").isFalse();
    }

    @Test
    void aResponseWhoseChunkedFramingBreaksCutsTheClientOffAndItsConnectionIsNotReused() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.full(200, Map.of("Transfer-Encoding", "chunked"),
                "5\r\nhello\r\nzz\r\n".getBytes(StandardCharsets.US_ASCII)));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("GET", "/bucket/key", Map.of(), new byte[0], Map.of()));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.read(false))
                    .as("a broken response must not reach the client as a whole one")
                    .isInstanceOf(Exception.class);
        }
        try (TestClient client = new TestClient(port)) {
            Response next = client.exchange("GET", "/bucket/key", new byte[0]);
            assertThat(next.status()).isEqualTo(200);
        }
        assertThat(upstream.connections()).as("the broken connection was not reused").isEqualTo(2);
    }

    @Test
    void chunkedGetIs411AndNeverReachesTheUpstream() throws Exception {
        int port = start();
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("GET", "/bucket/key", Map.of("Transfer-Encoding", "chunked"), new byte[0],
                    Map.of()));
            client.send("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(411);
            assertThat(r.bodyText()).contains("<Code>MissingContentLength</Code>");
        }
        assertThat(upstream.connections()).isZero();
    }

    @Test
    void payloadHashMismatchIs400AndTheUpstreamNeverGetsTheWholeBody() throws Exception {
        int port = start();
        int size = 512 * 1024;
        byte[] signedFor = bytes(size, 3);
        byte[] sent = signedFor.clone();
        sent[size - 1] ^= 1;
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Content-Length", Integer.toString(size)),
                    signedFor, Map.of()));
            client.send(sent);
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>XAmzContentSHA256Mismatch</Code>");
        }
        Received got = upstream.take();
        assertThat(got).isNotNull();
        assertThat(got.declaredLength()).isEqualTo(size);
        assertThat(got.complete()).isFalse();
        assertThat(got.body().length).isLessThan(size);
        assertThat(got.body()).isEqualTo(Arrays.copyOf(sent, got.body().length));
    }

    @Test
    void clientDisconnectMidBodyClosesTheUpstreamBeforeTheDeclaredLength() throws Exception {
        int port = start();
        int size = 1024 * 1024;
        byte[] body = bytes(size, 4);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Content-Length", Integer.toString(size)),
                    body, Map.of()));
            client.send(Arrays.copyOf(body, 200 * 1024));
            assertThat(upstream.takeHead()).startsWith("PUT /bucket/key");
        }
        Received got = upstream.take();
        assertThat(got).isNotNull();
        assertThat(got.complete()).isFalse();
        assertThat(got.body().length).isLessThanOrEqualTo(200 * 1024);
    }

    @Test
    void unreachableUpstreamIs502WithAnS3Error() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        int port = start("http://127.0.0.1:" + closedPort, 5000);
        try (TestClient client = new TestClient(port)) {
            Response r = client.exchange("GET", "/bucket/key", new byte[0]);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("content-type")).isEqualTo("application/xml");
            assertThat(r.header("x-amz-request-id")).isNotBlank();
            assertThat(r.bodyText()).contains("<Code>BadGateway</Code>", "<Resource>/bucket/key</Resource>",
                    "<RequestId>" + r.header("x-amz-request-id") + "</RequestId>");
        }
    }

    @Test
    void silentUpstreamIs504AfterTheReadTimeout() throws Exception {
        upstream = new FakeUpstream();
        int port = start(upstream.endpoint(), 300);
        upstream.enqueue(FakeUpstream.silent());
        try (TestClient client = new TestClient(port)) {
            long t0 = System.nanoTime();
            Response r = client.exchange("GET", "/bucket/key", new byte[0]);
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.bodyText()).contains("<Code>GatewayTimeout</Code>");
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 4000L);
        }
    }

    @Test
    void slowUploadLongerThanTheReadTimeoutIsNotAGatewayTimeout() throws Exception {
        upstream = new FakeUpstream();
        int port = start(upstream.endpoint(), 400);
        upstream.enqueue(FakeUpstream.ok());
        byte[] body = bytes(4000, 5);
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/key", Map.of("Content-Length", "4000"), body, Map.of()));
            for (int i = 0; i < 4; i++) {
                client.send(Arrays.copyOfRange(body, i * 1000, (i + 1) * 1000));
                // The upload itself takes longer than readTimeoutMs; the upstream owes no answer until it ends.
                Thread.sleep(250);
            }
            assertThat(client.read(false).status()).isEqualTo(200);
        }
        assertThat(upstream.take().body()).isEqualTo(body);
    }

    @Test
    void upstreamClosingMidResponseClosesTheClientConnection() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.closeMidBody(100_000, 10));
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("GET", "/bucket/key", Map.of(), null, Map.of()));
            // The head promises 100000 bytes; the client sees the 10 that came, then the close.
            java.io.IOException failure = null;
            try {
                client.read(false);
            } catch (IOException e) {
                failure = e;
            }
            assertThat(failure == null ? client.closedByServer() : true).isTrue();
        }
    }

    @Test
    void twoRequestsOnOneClientConnectionReuseOneUpstreamConnection() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.full(200, Map.of(), "one".getBytes(StandardCharsets.UTF_8)));
        upstream.enqueue(FakeUpstream.full(200, Map.of(), "two".getBytes(StandardCharsets.UTF_8)));
        try (TestClient client = new TestClient(port)) {
            assertThat(client.exchange("GET", "/bucket/a", new byte[0]).bodyText()).isEqualTo("one");
            assertThat(client.exchange("PUT", "/bucket/b", "xy".getBytes(StandardCharsets.UTF_8)).bodyText())
                    .isEqualTo("two");
        }
        Received first = upstream.take();
        Received second = upstream.take();
        assertThat(second.body()).isEqualTo("xy".getBytes(StandardCharsets.UTF_8));
        assertThat(second.connection()).isEqualTo(first.connection());
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void upstreamErrorIsRelayedVerbatimWithItsHeaders() throws Exception {
        int port = start();
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
                + "<Message>The specified key does not exist.</Message><Key>k</Key><RequestId>UP1</RequestId></Error>";
        upstream.enqueue(FakeUpstream.full(404, Map.of("Content-Type", "application/xml", "x-amz-request-id", "UP1",
                "x-amz-id-2", "host-id"), xml.getBytes(StandardCharsets.UTF_8)));
        try (TestClient client = new TestClient(port)) {
            Response r = client.exchange("GET", "/bucket/k", new byte[0]);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).isEqualTo(xml);
            assertThat(r.header("x-amz-request-id")).isEqualTo("UP1");
            assertThat(r.header("x-amz-id-2")).isEqualTo("host-id");
            assertThat(r.header("content-type")).isEqualTo("application/xml");
        }
    }

    @Test
    void headResponseHasNoBodyAndTheConnectionStaysUsable() throws Exception {
        int port = start();
        upstream.enqueue(FakeUpstream.full(200, Map.of("Content-Length", "1234", "ETag", "\"e\""), new byte[0]));
        upstream.enqueue(FakeUpstream.full(200, Map.of(), "after".getBytes(StandardCharsets.UTF_8)));
        try (TestClient client = new TestClient(port)) {
            Response head = client.exchange("HEAD", "/bucket/k", new byte[0]);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("1234");
            assertThat(client.exchange("GET", "/bucket/k", new byte[0]).bodyText()).isEqualTo("after");
        }
    }

    @Test
    void chunkedUpstreamResponseIsRelayedChunked() throws Exception {
        int port = start();
        byte[] chunked = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        upstream.enqueue(FakeUpstream.full(200, Map.of("Transfer-Encoding", "chunked"), chunked));
        try (TestClient client = new TestClient(port)) {
            Response r = client.exchange("GET", "/bucket?list-type=2", new byte[0]);
            assertThat(r.chunked()).isTrue();
            assertThat(r.bodyText()).isEqualTo("hello world");
        }
    }

    static String sha256Hex(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void aLowerCaseMethodIsRefusedBeforeAuthenticationAndNeverReachesTheUpstream() throws Exception {
        int port = start();
        byte[] body = "lower".getBytes(StandardCharsets.UTF_8);
        try (TestClient client = new TestClient(port)) {
            String head = client.signedHead("PUT", "/bucket/key", Map.of("Content-Length", "5"), body, Map.of());
            client.send("put" + head.substring(3));
            client.send(body);
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(501);
            assertThat(r.bodyText()).contains("<Code>NotImplemented</Code>");
        }
        try (TestClient client = new TestClient(port)) {
            client.send("TRACE /bucket/key HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.read(false).status()).isEqualTo(405);
        }
        assertThat(upstream.connections()).isZero();
    }

    @Test
    void aListValuedContentLengthGetsAReadable400() throws Exception {
        int port = start();
        try (TestClient client = new TestClient(port)) {
            client.send("PUT /bucket/key HTTP/1.1\r\nHost: x\r\nContent-Length: 46, 525\r\n\r\n");
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>InvalidRequest</Code>");
        }
        assertThat(upstream.connections()).isZero();
    }
}
