package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.ConfigLoader;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.TestClient.Response;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client conditions checked under the key lock, and the conditions fenced mode adds, against a scripted upstream. */
@Timeout(30)
class WriteConditionsTest {
    private static final byte[] BODY = "v2".getBytes(StandardCharsets.UTF_8);

    private FakeUpstream upstream;
    private ProxyServer proxy;

    private int start(String lockMode) throws Exception {
        return start(lockMode, Map.of());
    }

    private int start(String lockMode, Map<String, String> more) throws Exception {
        upstream = new FakeUpstream();
        Map<String, String> env = new HashMap<>(more);
        env.put("S3LP_LISTEN", "127.0.0.1:0");
        env.put("S3LP_ADMIN", "127.0.0.1:0");
        env.put("S3LP_CREDENTIALS_0_ACCESSKEY", TestClient.ACCESS_KEY);
        env.put("S3LP_CREDENTIALS_0_SECRETKEY", TestClient.SECRET_KEY);
        env.put("S3LP_UPSTREAM_ENDPOINT", upstream.endpoint());
        env.put("S3LP_UPSTREAM_ACCESSKEY", "upstream-key");
        env.put("S3LP_UPSTREAM_SECRETKEY", "upstream-secret");
        env.put("S3LP_LOCK_MODE", lockMode);
        proxy = ProxyServer.start(ConfigLoader.load(null, env));
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

    private static Response put(TestClient client, Map<String, String> conditions) throws Exception {
        Map<String, String> headers = new HashMap<>(conditions);
        headers.put("Content-Length", Integer.toString(BODY.length));
        client.send(client.signedHead("PUT", "/bucket/counter.json", headers, BODY, Map.of()));
        client.send(BODY);
        return client.read(false);
    }

    private static FakeUpstream.Answer headAnswer(String etag) {
        return FakeUpstream.full(200, Map.of("ETag", etag, "Content-Length", "2"), new byte[0]);
    }

    private static FakeUpstream.Answer notFound() {
        return FakeUpstream.full(404, Map.of("Content-Length", "0"), new byte[0]);
    }

    @Test
    void ifMatchOnAnotherETagIs412AndTheWriteNeverReachesTheUpstream() throws Exception {
        int port = start("serialize");
        upstream.enqueue(headAnswer("\"abc\""));
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of("If-Match", "\"other\""));
            assertThat(r.status()).isEqualTo(412);
            assertThat(r.bodyText()).contains("<Code>PreconditionFailed</Code>").contains("<Condition>If-Match</Condition>");
        }
        assertThat(upstream.take().requestLine()).startsWith("HEAD /bucket/counter.json ");
        assertThat(upstream.poll(300)).isNull();
    }

    @Test
    void ifMatchOnTheCurrentETagIsForwardedWithTheWrite() throws Exception {
        int port = start("serialize");
        upstream.enqueue(headAnswer("\"abc\""));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of("If-Match", "abc")).status()).isEqualTo(200);
        }
        upstream.take();
        Received write = upstream.take();
        assertThat(write.requestLine()).startsWith("PUT /bucket/counter.json ");
        assertThat(write.header("if-match")).isEqualTo("abc");
        assertThat(write.body()).isEqualTo(BODY);
    }

    @Test
    void ifNoneMatchStarOnAnExistingKeyIs412() throws Exception {
        int port = start("serialize");
        upstream.enqueue(headAnswer("\"abc\""));
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of("If-None-Match", "*")).status()).isEqualTo(412);
        }
    }

    @Test
    void ifMatchOnAMissingKeyIs404NoSuchKey() throws Exception {
        int port = start("serialize");
        upstream.enqueue(notFound());
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of("If-Match", "\"abc\""));
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).contains("<Code>NoSuchKey</Code>");
        }
    }

    @Test
    void fencedModeAddsTheConditionSeenUnderTheLockAndTurnsItsRejectionInto503() throws Exception {
        int port = start("fenced");
        upstream.enqueue(FakeUpstream.full(412, Map.of("Content-Length", "0"), new byte[0])); // probe: enforced
        upstream.enqueue(notFound());                                                       // HEAD: new key
        upstream.enqueue(FakeUpstream.ok());                                                // the write
        upstream.enqueue(headAnswer("\"e1\""));                                             // HEAD: exists
        upstream.enqueue(FakeUpstream.full(412, Map.of("Content-Length", "0"), new byte[0])); // fence refuses
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of());
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("<Code>SlowDown</Code>");
            assertThat(r.header("retry-after")).isNotNull();
        }
        Received probe = upstream.take();
        assertThat(probe.requestLine()).contains("/bucket/.s3-lock-proxy/probe-");
        upstream.take();
        assertThat(upstream.take().header("if-none-match")).isEqualTo("*");
        upstream.take();
        assertThat(upstream.take().header("if-match")).isEqualTo("\"e1\"");
    }

    @Test
    void fencedModeIsRefusedForABucketWhoseUpstreamIgnoresConditions() throws Exception {
        int port = start("fenced");
        upstream.enqueue(FakeUpstream.ok()); // probe: If-Match on a missing key accepted
        upstream.enqueue(FakeUpstream.ok()); // the probe object is deleted again
        upstream.enqueue(FakeUpstream.ok()); // the write, without an added condition
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
        }
        String probePath = upstream.take().requestLine().split(" ")[1];
        Received cleanup = upstream.take();
        assertThat(cleanup.requestLine()).isEqualTo("DELETE " + probePath + " HTTP/1.1");
        Received write = upstream.take();
        assertThat(write.requestLine()).startsWith("PUT /bucket/counter.json ");
        assertThat(write.headers()).doesNotContainKeys("if-match", "if-none-match");
    }

    @Test
    void withRedisDownInConditionalModeAWriteIsFencedByTheStorageAndADeleteIsRefused() throws Exception {
        // Port 1 refuses connections: the configured Redis is unreachable.
        int port = start("serialize", Map.of("S3LP_LOCK_REDIS", "redis://127.0.0.1:1", "S3LP_LOCK_ONREDISDOWN", "conditional"));
        upstream.enqueue(FakeUpstream.full(412, Map.of("Content-Length", "0"), new byte[0])); // probe: enforced
        upstream.enqueue(notFound());                                                       // HEAD
        upstream.enqueue(FakeUpstream.ok());                                                // the write
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, Map.of()).status()).isEqualTo(200);
            Response delete = client.exchange("DELETE", "/bucket/counter.json", new byte[0]);
            assertThat(delete.status()).isEqualTo(503);
            assertThat(delete.bodyText()).contains("<Code>SlowDown</Code>");
        }
        upstream.take();
        upstream.take();
        assertThat(upstream.take().header("if-none-match")).isEqualTo("*");
        assertThat(upstream.poll(300)).isNull();
    }

    @Test
    void withRedisDownInFailModeAWriteIs503AndNothingReachesTheUpstream() throws Exception {
        int port = start("serialize", Map.of("S3LP_LOCK_REDIS", "redis://127.0.0.1:1"));
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, Map.of());
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("<Code>SlowDown</Code>");
        }
        assertThat(upstream.poll(300)).isNull();
    }
}
