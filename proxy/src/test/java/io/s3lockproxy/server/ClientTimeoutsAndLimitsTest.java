package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.TestClient.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that stall or crowd the proxy: each timeout and limit of {@code client.*},
 * {@code lock.maxWaitersPerKey} and {@code upstream.maxConnections}, with short settings on real sockets.
 */
@Timeout(60)
class ClientTimeoutsAndLimitsTest {
    private static final byte[] BODY = "eight by".getBytes(StandardCharsets.UTF_8);

    private FakeUpstream upstream;
    private ProxyServer proxy;
    private final LockMetrics lockMetrics = new LockMetrics();

    private int start(Map<String, String> settings) throws Exception {
        upstream = new FakeUpstream();
        Map<String, String> env = new HashMap<>(settings);
        env.put("S3LP_LOCK_MODE", "serialize");
        ProxyConfig config = TestEnvironment.config(upstream.endpoint(), env);
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

    private static String putHead(TestClient client, String key, Map<String, String> extra) {
        return client.signedHead("PUT", "/bucket/" + key, Map.of("Content-Length", Integer.toString(BODY.length)),
                BODY, extra);
    }

    private static Response put(TestClient client, String key) throws Exception {
        client.send(putHead(client, key, Map.of()));
        client.send(BODY);
        return client.read(false);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Test
    void aHeadTrickledOneByteAtATimeGets400RequestTimeoutAfterTheHeaderTimeout() throws Exception {
        int port = start(Map.of("S3LP_CLIENT_HEADER_TIMEOUT_MS", "700"));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            long began = System.nanoTime();
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    for (byte b : "GET /bucket/key HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                            .getBytes(StandardCharsets.US_ASCII)) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    // the proxy closed the connection
                }
            });
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long took = millisSince(began);
            trickle.cancel(true);
            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("<Code>RequestTimeout</Code>")
                    .contains("connection: close");
            assertThat(took).as("cut at the header timeout, though a byte came every 100 ms").isBetween(600L, 2500L);
        }
        assertThat(upstream.connections()).isZero();
    }

    @Test
    void aConnectionWithoutARequestClosesAfterTheIdleTimeoutAlsoBetweenRequests() throws Exception {
        int port = start(Map.of("S3LP_CLIENT_IDLE_TIMEOUT_MS", "500"));
        try (TestClient silent = new TestClient(port)) {
            long began = System.nanoTime();
            assertThat(silent.closedByServer()).isTrue();
            assertThat(millisSince(began)).isBetween(400L, 3000L);
        }
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient keptAlive = new TestClient(port)) {
            assertThat(keptAlive.exchange("GET", "/bucket/k", new byte[0]).status()).isEqualTo(200);
            long answered = System.nanoTime();
            assertThat(keptAlive.closedByServer()).isTrue();
            assertThat(millisSince(answered)).isBetween(400L, 3000L);
        }
    }

    @Test
    void aBodyThatStopsGets400RequestTimeoutAndItsKeyIsFreeAtOnce() throws Exception {
        int port = start(Map.of("S3LP_CLIENT_BODY_IDLE_TIMEOUT_MS", "500", "S3LP_LOCK_WAITMS", "10000"));
        upstream.enqueue(FakeUpstream.ok());
        long answered;
        try (TestClient stalled = new TestClient(port)) {
            stalled.send(putHead(stalled, "k", Map.of()));
            stalled.send(Arrays.copyOf(BODY, 3));
            long began = System.nanoTime();
            Response r = stalled.read(false);
            answered = System.nanoTime();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>RequestTimeout</Code>");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(millisSince(began)).isBetween(400L, 3000L);
            assertThat(stalled.closedByServer()).isTrue();
        }
        assertThat(upstream.poll(300)).as("the bytes it sent were held back: nothing reached the upstream").isNull();
        try (TestClient next = new TestClient(port)) {
            assertThat(put(next, "k").status()).isEqualTo(200);
        }
        Received written = upstream.take();
        assertThat(TimeUnit.NANOSECONDS.toMillis(written.arrivedNanos() - answered))
                .as("the next writer did not wait for the lock").isLessThan(1000);
        assertThat(written.body()).isEqualTo(BODY);
    }

    @Test
    void aPutThatGot100ContinueAndSentNothingIsCutAfterTheBodyIdleTimeout() throws Exception {
        int port = start(Map.of("S3LP_CLIENT_BODY_IDLE_TIMEOUT_MS", "500"));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient stalled = new TestClient(port)) {
            stalled.send(putHead(stalled, "k", Map.of("Expect", "100-continue")));
            assertThat(stalled.read(false).status()).isEqualTo(100);
            Response r = stalled.read(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("<Code>RequestTimeout</Code>");
        }
        try (TestClient next = new TestClient(port)) {
            long began = System.nanoTime();
            assertThat(put(next, "k").status()).isEqualTo(200);
            assertThat(millisSince(began)).isLessThan(1000);
        }
    }

    @Test
    void aSlowButSteadyUploadIsNotCut() throws Exception {
        int port = start(Map.of("S3LP_CLIENT_BODY_IDLE_TIMEOUT_MS", "500"));
        upstream.enqueue(FakeUpstream.ok());
        byte[] body = new byte[12 * 1024];
        Arrays.fill(body, (byte) 'x');
        try (TestClient slow = new TestClient(port)) {
            slow.send(slow.signedHead("PUT", "/bucket/slow", Map.of("Content-Length", Integer.toString(body.length)),
                    body, Map.of()));
            long began = System.nanoTime();
            // 4 KiB/s: 256 bytes every 62.5 ms, for three seconds — six body idle timeouts.
            for (int off = 0; off < body.length; off += 256) {
                slow.send(Arrays.copyOfRange(body, off, off + 256));
                Thread.sleep(62);
            }
            Response r = slow.read(false);
            assertThat(millisSince(began)).isGreaterThan(2500L);
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(upstream.take().body()).isEqualTo(body);
    }

    @Test
    void connectionsBeyondTheMaximumGet503SlowDownWhileTheOthersAreServed() throws Exception {
        int port = start(Map.of("S3LP_CLIENT_MAX_CONNECTIONS", "2"));
        for (int i = 0; i < 4; i++) {
            upstream.enqueue(FakeUpstream.ok());
        }
        try (TestClient first = new TestClient(port); TestClient second = new TestClient(port)) {
            assertThat(first.exchange("GET", "/bucket/a", new byte[0]).status()).isEqualTo(200);
            assertThat(second.exchange("GET", "/bucket/b", new byte[0]).status()).isEqualTo(200);
            try (TestClient third = new TestClient(port)) {
                Response refused = third.exchange("GET", "/bucket/c", new byte[0]);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.bodyText()).contains("<Code>SlowDown</Code>", "client.maxConnections");
                assertThat(refused.header("connection")).isEqualTo("close");
                assertThat(third.closedByServer()).isTrue();
            }
            assertThat(first.exchange("GET", "/bucket/a", new byte[0]).status()).isEqualTo(200);
        }
        Thread.sleep(200); // the closes reach the proxy
        try (TestClient later = new TestClient(port)) {
            assertThat(later.exchange("GET", "/bucket/d", new byte[0]).status()).isEqualTo(200);
        }
        assertThat(upstream.connections()).as("the refused request never went upstream").isLessThanOrEqualTo(3);
    }

    @Test
    void writersBeyondTheMaximumQueuedForAKeyGet503SlowDownAtOnce() throws Exception {
        int port = start(Map.of("S3LP_LOCK_MAX_WAITERS_PER_KEY", "1", "S3LP_LOCK_WAITMS", "10000"));
        upstream.enqueue(FakeUpstream.delayed(1500, FakeUpstream.ok()));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient holder = new TestClient(port); TestClient waiter = new TestClient(port);
             TestClient refused = new TestClient(port)) {
            holder.send(putHead(holder, "k", Map.of()));
            holder.send(BODY);
            assertThat(upstream.takeHead()).startsWith("PUT /bucket/k ");
            waiter.send(putHead(waiter, "k", Map.of()));
            waiter.send(BODY);
            Thread.sleep(200); // the waiter is queued
            long began = System.nanoTime();
            Response r = put(refused, "k");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("<Code>SlowDown</Code>");
            assertThat(millisSince(began)).as("refused without waiting for the holder").isLessThan(1000);
            assertThat(holder.read(false).status()).isEqualTo(200);
            assertThat(waiter.read(false).status()).isEqualTo(200);
        }
        assertThat(lockMetrics.queueFullRefusals()).isEqualTo(1);
    }

    @Test
    void requestsBeyondTheMaximumUpstreamConnectionsGet503SlowDown() throws Exception {
        int port = start(Map.of("S3LP_UPSTREAM_MAX_CONNECTIONS", "1"));
        upstream.enqueue(FakeUpstream.delayed(1000, FakeUpstream.ok()));
        upstream.enqueue(FakeUpstream.ok());
        try (TestClient busy = new TestClient(port); TestClient other = new TestClient(port)) {
            busy.send(busy.signedHead("GET", "/bucket/a", Map.of(), new byte[0], Map.of()));
            assertThat(upstream.takeHead()).startsWith("GET /bucket/a ");
            Response r = other.exchange("GET", "/bucket/b", new byte[0]);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("<Code>SlowDown</Code>");
            assertThat(busy.read(false).status()).isEqualTo(200);
            assertThat(other.exchange("GET", "/bucket/b", new byte[0]).status())
                    .as("the pooled connection serves the next request").isEqualTo(200);
        }
        assertThat(upstream.connections()).as("one in use at a time; the pool keeps each loop's").isLessThanOrEqualTo(2);
    }
}
