package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Clients that stall or crowd a real proxy pair (two instances, one Redis, a real S3 behind): heads
 * trickled by hundreds of connections, a thousand idle keep-alive connections, a PUT that takes
 * {@code 100 Continue} and sends nothing, and more connections than {@code client.maxConnections}.
 * The client timeouts are 1–2 s here so that each attack ends quickly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StalledClientsIT {
    private static final int MAX_CONNECTIONS = 1200;

    private LockingCluster cluster;

    @BeforeAll
    void start() {
        cluster = LockingCluster.startWithOwnBackend("StalledClientsIT", true, 2, b -> b.leaseMs(30_000).waitMs(30_000)
                .extraYaml("client:\n  headerTimeoutMs: 1000\n  idleTimeoutMs: 2000\n  bodyIdleTimeoutMs: 1000\n"
                        + "  maxConnections: " + MAX_CONNECTIONS + "\n"));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Socket connect(int instance) throws IOException {
        ProxyProcess proxy = cluster.proxy(instance);
        Socket socket = new Socket(proxy.endpoint().getHost(), proxy.endpoint().getPort());
        socket.setSoTimeout(15_000);
        return socket;
    }

    @Test
    void threeHundredTrickledHeadsAreCutWhileOtherClientsAreServed() throws Exception {
        String bucket = cluster.newBucket();
        int count = 300;
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            long began = System.nanoTime();
            List<Future<Long>> cutAfter = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Socket socket = connect(0);
                cutAfter.add(pool.submit(() -> trickleUntilCut(socket, began)));
            }
            // Meanwhile the proxy serves everyone else.
            for (int i = 0; i < 5; i++) {
                String key = "served-" + i;
                cluster.client(0).putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
                assertThat(cluster.client(0).getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String()).isEqualTo(key);
            }
            long slowest = 0;
            for (Future<Long> cut : cutAfter) {
                slowest = Math.max(slowest, cut.get(60, TimeUnit.SECONDS));
            }
            System.out.printf("StalledClientsIT: %d trickled heads, every one cut within %d ms%n", count, slowest);
            assertThat(slowest).as("head timeout 1 s, then at most 2 s of lingering; logs:%n%s", cluster.logs())
                    .isLessThan(6_000);
        } finally {
            pool.shutdownNow();
        }
        cluster.removeBucket(bucket);
    }

    /** Sends a head one byte every 200 ms; returns the ms from {@code began} until the proxy had cut the connection. */
    private static long trickleUntilCut(Socket socket, long began) throws IOException {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            byte[] head = ("GET /bucket/key HTTP/1.1\r\nHost: proxy\r\nX-Slow: " + "a".repeat(200))
                    .getBytes(StandardCharsets.US_ASCII);
            for (byte b : head) {
                try {
                    out.write(b);
                    out.flush();
                    Thread.sleep(200);
                } catch (IOException e) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return Long.MAX_VALUE;
        }
    }

    @Test
    void aThousandIdleKeepAliveConnectionsAreClosed() throws Exception {
        int count = 1000;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(connect(i % 2));
            }
            long opened = System.nanoTime();
            int closed = 0;
            for (Socket socket : sockets) {
                if (closedByServer(socket)) {
                    closed++;
                }
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
            System.out.printf("StalledClientsIT: %d of %d idle connections closed by the proxy within %d ms%n",
                    closed, count, tookMs);
            assertThat(closed).isEqualTo(count);
            assertThat(tookMs).as("idle timeout 2 s").isLessThan(8_000);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aPutThatTook100ContinueAndSentNothingHoldsItsKeyOnlyUntilTheBodyIdleTimeout() throws Exception {
        String bucket = cluster.newBucket();
        String key = "contended";
        cluster.client(1).putObject(b -> b.bucket(bucket).key("warm-up"), RequestBody.fromString("w"));
        byte[] stalledBody = "never sent".getBytes(StandardCharsets.UTF_8);
        ProxyProcess proxy = cluster.proxy(0);
        try (SlowPut stalled = SlowPut.start(proxy.endpoint(), proxy.accessKey(), proxy.secretKey(), bucket, key,
                stalledBody, Map.of(), true)) {
            assertThat(stalled.awaitContinue()).as("the lock is held and the body invited").isEqualTo(100);
            long began = System.nanoTime();
            cluster.client(1).putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("the next writer"));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            System.out.printf("StalledClientsIT: the next writer of a key held by a stalled PUT waited %d ms%n", tookMs);
            assertThat(tookMs).as("body idle timeout 1 s; logs:%n%s", cluster.logs()).isLessThan(3_000);
            assertThat(stalled.readStatus()).isEqualTo(400);
        }
        assertThat(cluster.direct.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                .isEqualTo("the next writer");
        cluster.removeBucket(bucket);
    }

    @Test
    void connectionsBeyondTheMaximumAreRefusedAndTheProxyKeepsServing() throws Exception {
        String bucket = cluster.newBucket();
        cluster.client(0).putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("v"));
        int count = MAX_CONNECTIONS + 300;
        List<Socket> sockets = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(connect(0));
            }
            for (Socket socket : sockets) {
                socket.getOutputStream().write(("GET /" + bucket + "/k HTTP/1.1\r\nHost: proxy\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            for (Socket socket : sockets) {
                String response = response(socket.getInputStream());
                if (response.contains("client.maxConnections")) {
                    assertThat(response).startsWith("HTTP/1.1 503").contains("<Code>SlowDown</Code>");
                    refused++;
                } else {
                    // Anonymous, so the upstream decides; or SlowDown from upstream.maxConnections (1,024 in use).
                    assertThat(response).matches("(?s)HTTP/1.1 (403|503) .*");
                }
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        System.out.printf("StalledClientsIT: %d connections against client.maxConnections %d: %d refused with 503%n",
                count, MAX_CONNECTIONS, refused);
        // The SDK clients' pooled connections count too: a few more than the surplus may be refused.
        assertThat(refused).isBetween(count - MAX_CONNECTIONS, count - MAX_CONNECTIONS + 10);
        Thread.sleep(500);
        assertThat(cluster.proxy(0).isAlive()).isTrue();
        assertThat(cluster.client(0).getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String()).isEqualTo("v");
        cluster.removeBucket(bucket);
    }

    /** Reads one response with a Content-Length body: head and body as text. */
    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int length = 0;
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            head.append(line).append('\n');
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().trim();
    }
}
