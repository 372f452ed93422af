package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.lock.RedisServerProcess;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.TestClient.Response;
import io.s3lockproxy.upstream.Resigner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Writes whose end reached the upstream: never released early and never misreported. And writes
 * whose locks lapsed before that: stopped at the commit point, so the upstream never has them whole.
 */
@Timeout(60)
class InDoubtWritesTest {
    private static final byte[] BODY = "in doubt".getBytes(StandardCharsets.UTF_8);
    private static final long SETTLE_MS = 1500;

    private FakeUpstream upstream;
    private ProxyServer proxy;
    private RedisServerProcess redis;
    private final LockMetrics lockMetrics = new LockMetrics();

    private int start(Map<String, String> more) throws Exception {
        return start(more, null);
    }

    private int start(Map<String, String> more, AwsCredentialsProvider credentials) throws Exception {
        upstream = new FakeUpstream();
        Map<String, String> env = new HashMap<>(more);
        env.putIfAbsent("S3LP_LOCK_MODE", "serialize");
        env.put("S3LP_LOCK_SETTLEMS", Long.toString(SETTLE_MS));
        ProxyConfig config = TestEnvironment.config(upstream.endpoint(), env);
        Resigner resigner = credentials == null ? new Resigner(config.upstream()) : new Resigner(config.upstream(), credentials);
        proxy = ProxyServer.start(config, LockServices.create(config.lock(), lockMetrics), RequestObserver.NONE, resigner);
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
        if (redis != null) {
            redis.close();
        }
    }

    private static Response put(TestClient client, String key) throws Exception {
        client.send(client.signedHead("PUT", "/bucket/" + key, Map.of("Content-Length", Integer.toString(BODY.length)),
                BODY, Map.of()));
        client.send(BODY);
        return client.read(false);
    }

    @Test
    void anUpstreamSilentAfterTheWholeWriteMakesTheOutcomeUnknownAndTheKeySettles() throws Exception {
        int port = start(Map.of("S3LP_UPSTREAM_READTIMEOUTMS", "400"));
        upstream.enqueue(FakeUpstream.silent());
        upstream.enqueue(FakeUpstream.ok());
        long answered;
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, "k");
            answered = System.nanoTime();
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.bodyText()).contains("<Code>GatewayTimeout</Code>").contains("unknown")
                    .doesNotContain("nothing was");
        }
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, "k").status()).isEqualTo(200);
        }
        assertThat(upstream.take().complete()).isTrue();
        Received next = upstream.take();
        assertThat(TimeUnit.NANOSECONDS.toMillis(next.arrivedNanos() - answered))
                .as("the next write of the key waited out the settle period").isGreaterThanOrEqualTo(SETTLE_MS - 100);
        assertThat(lockMetrics.settledAfterUnknownOutcome()).isEqualTo(1);
    }

    @Test
    void anUpstreamThatDropsTheConnectionAfterTheWholeWriteIsReportedAsUnknownNotAsNothingWritten() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.closeWithoutAnswer());
        try (TestClient client = new TestClient(port)) {
            Response r = put(client, "k");
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.bodyText()).contains("<Code>InternalError</Code>").contains("unknown");
        }
    }

    @Test
    void anUpstreamThatClosesBeforeTheLastByteLeavesTheOutcomeUnknownNotDenied() throws Exception {
        int port = start(Map.of());
        // Reads all but the last byte, then closes: had it acted on what it got (as S3Proxy does
        // for a folder marker), only its answer could have told.
        upstream.enqueue(new FakeUpstream.CloseMidRequest(BODY.length - 1));
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/k", Map.of("Content-Length", Integer.toString(BODY.length)),
                    BODY, Map.of()));
            client.send(java.util.Arrays.copyOf(BODY, BODY.length - 1));
            Thread.sleep(100);
            client.send(java.util.Arrays.copyOfRange(BODY, BODY.length - 1, BODY.length));
            Response r = client.read(false);
            assertThat(r.status()).as("the upstream may or may not have acted: unknown").isEqualTo(500);
            assertThat(r.bodyText()).contains("unknown").doesNotContain("nothing was written");
        }
        assertThat(upstream.take().body().length).isEqualTo(BODY.length - 1);
        assertThat(lockMetrics.settledAfterUnknownOutcome()).isEqualTo(1);
    }

    @Test
    void anUpstreamThatRefusesBeforeTheBodyAndClosesIsRelayedAsItsRefusal() throws Exception {
        int port = start(Map.of());
        byte[] body = new byte[256 * 1024];
        int rounds = 20;
        for (int i = 0; i < rounds; i++) {
            upstream.enqueue(new FakeUpstream.AnswerBeforeBody(400));
        }
        for (int i = 0; i < rounds; i++) {
            try (TestClient client = new TestClient(port)) {
                client.send(client.signedHead("PUT", "/bucket/k" + i, Map.of("Content-Length",
                        Integer.toString(body.length)), body, Map.of()));
                try {
                    client.send(body);
                } catch (java.io.IOException e) {
                    // the proxy closed after answering: the answer is still there to read
                }
                Response r = client.read(false);
                assertThat(r.status()).as("round %d: the upstream's refusal, not an unknown outcome", i).isEqualTo(400);
                assertThat(r.bodyText()).contains("BadDigest");
            }
        }
        assertThat(lockMetrics.settledAfterUnknownOutcome()).as("a refusal is a known outcome").isZero();
    }

    @Test
    void aReadThatLosesItsUpstreamIsAPlainBadGateway() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.closeWithoutAnswer());
        try (TestClient client = new TestClient(port)) {
            Response r = client.exchange("GET", "/bucket/k", new byte[0]);
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(lockMetrics.settledAfterUnknownOutcome()).isZero();
    }

    @Test
    void aClientLeavingAfterTheWholeWriteKeepsTheKeyLockedUntilTheUpstreamAnswers() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.delayed(1000, FakeUpstream.ok()));
        upstream.enqueue(FakeUpstream.ok());
        TestClient leaving = new TestClient(port);
        leaving.send(leaving.signedHead("PUT", "/bucket/k", Map.of("Content-Length", Integer.toString(BODY.length)),
                BODY, Map.of()));
        leaving.send(BODY);
        Received first = upstream.take();
        assertThat(first.complete()).isTrue();
        leaving.close();
        try (TestClient client = new TestClient(port)) {
            assertThat(put(client, "k").status()).isEqualTo(200);
        }
        Received next = upstream.take();
        assertThat(TimeUnit.NANOSECONDS.toMillis(next.arrivedNanos() - first.arrivedNanos()))
                .as("the next write waited for the first one's answer").isGreaterThanOrEqualTo(900);
        assertThat(lockMetrics.settledAfterUnknownOutcome()).as("the answer came: nothing to settle").isZero();
    }

    @Test
    void aLeaseLostBeforeTheEndOfTheBodyStopsTheWriteAtItsCommitPoint() throws Exception {
        assertALostLeaseStopsTheWriteOneByteShort(BODY, 3);
    }

    @Test
    void aLeaseLostBeforeTheEndOfALargeBodyStopsTheWriteAtItsLastByte() throws Exception {
        byte[] large = new byte[20 * 1024];
        java.util.Arrays.fill(large, (byte) 'x');
        assertALostLeaseStopsTheWriteOneByteShort(large, large.length - 5);
    }

    @Test
    void aLeaseLostBeforeASmallBodyArrivesWholeSendsNothingAtAll() throws Exception {
        redis = RedisServerProcess.start();
        int port = start(Map.of("S3LP_LOCK_REDIS", redis.uri().toString()));
        try (TestClient client = new TestClient(port)) {
            // The head alone, then the body in one piece: it would leave whole with its head at the commit point.
            Response r = putLosingTheLeaseBeforeTheEnd(client, BODY, 0);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("nothing was written");
        }
        assertThat(upstream.poll(500)).as("neither the head nor a byte of the body went up").isNull();
        assertThat(lockMetrics.commitsRefused()).isEqualTo(1);
    }

    private void assertALostLeaseStopsTheWriteOneByteShort(byte[] body, int first) throws Exception {
        redis = RedisServerProcess.start();
        int port = start(Map.of("S3LP_LOCK_REDIS", redis.uri().toString()));
        try (TestClient client = new TestClient(port)) {
            Response r = putLosingTheLeaseBeforeTheEnd(client, body, first);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("nothing was written");
        }
        Received cut = upstream.take();
        assertThat(cut.requestLine()).startsWith("PUT /bucket/k ");
        assertThat(cut.complete()).as("the upstream never got the whole body").isFalse();
        assertThat(cut.body().length).isEqualTo(body.length - 1);
        assertThat(lockMetrics.commitsRefused()).isEqualTo(1);
    }

    /** Sends the head and {@code first} bytes, flushes Redis once the lease is held, then sends the rest. */
    private Response putLosingTheLeaseBeforeTheEnd(TestClient client, byte[] body, int first) throws Exception {
        client.send(client.signedHead("PUT", "/bucket/k", Map.of("Content-Length", Integer.toString(body.length)),
                body, Map.of()));
        client.send(java.util.Arrays.copyOf(body, first));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lockMetrics.heldLocks() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(lockMetrics.heldLocks()).as("the write holds its lock").isEqualTo(1);
        assertThat(redis.command("FLUSHALL")).isEqualTo("+OK"); // the lease is gone; the renewal has not run yet
        Thread.sleep(100); // the acquisition is no longer a confirmation from moments ago
        client.send(java.util.Arrays.copyOfRange(body, first, body.length));
        return client.read(false);
    }

    @Test
    void aSignerThatThrowsUnderTheLockAnswers5xxAndReleasesTheLock() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        AwsCredentialsProvider flaky = () -> {
            if (broken.get()) {
                throw new IllegalStateException("credentials unavailable");
            }
            return AwsBasicCredentials.create("upstream-key", "upstream-secret");
        };
        int port = start(Map.of("S3LP_LOCK_MODE", "fenced"), flaky);
        try (TestClient client = new TestClient(port)) {
            CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.exchange("PUT", "/bucket/k", BODY, Map.of("If-Match", "\"e\""));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Response r = first.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).as("the HEAD under the lock could not be signed").isBetween(500, 599);
        }
        broken.set(false);
        // The probe the first write could not sign left the bucket unknown for a minute: no probe now.
        upstream.enqueue(FakeUpstream.full(200, Map.of("ETag", "\"e\"", "Content-Length", "0"), new byte[0]));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient client = new TestClient(port)) {
            assertThat(client.exchange("PUT", "/bucket/k", BODY, Map.of("If-Match", "\"e\"")).status())
                    .as("the key was released").isEqualTo(200);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lockMetrics.heldLocks() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(lockMetrics.heldLocks()).isZero();
        assertThat(lockMetrics.acquisitions()).isEqualTo(2);
    }
}
