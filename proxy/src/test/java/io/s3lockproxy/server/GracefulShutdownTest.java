package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.lock.RedisServerProcess;
import io.s3lockproxy.server.TestClient.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 4, lifecycle: a real {@link ProxyServer} shut down while requests are in flight. */
@Timeout(30)
class GracefulShutdownTest {
    private static final byte[] BODY = "hello".getBytes(StandardCharsets.UTF_8);

    private final FakeUpstream upstream;
    private final List<RequestRecord> records = new CopyOnWriteArrayList<>();
    private ProxyServer proxy;
    private RedisServerProcess redis;

    GracefulShutdownTest() throws IOException {
        upstream = new FakeUpstream();
    }

    private int start(Map<String, String> extra) throws InterruptedException {
        Map<String, String> env = new HashMap<>();
        // The scripted upstream answers the relayed requests only: no fencing probe, no HEAD.
        env.put("S3LP_LOCK_MODE", "serialize");
        env.put("S3LP_UPSTREAM_READTIMEOUTMS", "20000");
        env.putAll(extra);
        ProxyConfig config = TestEnvironment.config(upstream.endpoint(), env);
        proxy = ProxyServer.start(config, LockServices.create(config.lock(), new LockMetrics()), records::add);
        return proxy.port();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
        if (redis != null) {
            redis.close();
        }
    }

    /** Answers 200 after {@code ms}. */
    private static FakeUpstream.Answer okAfter(long ms) {
        return (out, socket) -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeUpstream.ok().write(out, socket);
        };
    }

    private static void sendPut(TestClient client, String path) throws IOException {
        client.send(client.signedHead("PUT", path, Map.of("Content-Length", "5"), BODY, Map.of()));
        client.send(BODY);
    }

    @Test
    void aRequestThatFinishesWithinTheGracePeriodIsNotCut() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(okAfter(700));
        try (TestClient client = new TestClient(port)) {
            sendPut(client, "/bucket/slow");
            assertThat(upstream.take()).isNotNull(); // in flight: the upstream has it and is thinking
            long begin = System.nanoTime();
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> proxy.shutdown(Duration.ofSeconds(10)));
            Response r = client.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(client.closedByServer()).as("the connection ends after its exchange").isTrue();
            shutdown.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(records).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(200);
            assertThat(rec.aborted()).isFalse();
            assertThat(rec.operation()).isEqualTo("PUT_OBJECT");
            assertThat(rec.accessKeyId()).isEqualTo(TestClient.ACCESS_KEY);
            assertThat(rec.bucket()).isEqualTo("bucket");
            assertThat(rec.key()).isEqualTo("slow");
            assertThat(rec.bytesIn()).isEqualTo(5);
            assertThat(rec.totalMillis()).isGreaterThanOrEqualTo(600);
        });
        assertThat(accepts(port)).as("no longer listening").isFalse();
    }

    @Test
    void aRequestStillRunningAfterTheGracePeriodIsCutAndIdleConnectionsCloseAtOnce() throws Exception {
        int port = start(Map.of());
        upstream.enqueue(FakeUpstream.silent());
        try (TestClient client = new TestClient(port); TestClient idle = new TestClient(port)) {
            sendPut(client, "/bucket/stuck");
            assertThat(upstream.take()).isNotNull();
            long begin = System.nanoTime();
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> proxy.shutdown(Duration.ofMillis(800)));
            assertThat(idle.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("idle connection closed").isLessThan(Duration.ofMillis(700));
            assertThat(client.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("busy connection cut").isGreaterThanOrEqualTo(Duration.ofMillis(750));
            shutdown.get(10, TimeUnit.SECONDS);
        }
        assertThat(records).singleElement().satisfies(rec -> {
            assertThat(rec.aborted()).isTrue();
            assertThat(rec.status()).isZero();
            assertThat(rec.key()).isEqualTo("stuck");
        });
    }

    @Test
    void noLockIsLeftInRedisWhenShutdownCutsAWriteBeforeItsEndWentUpstream() throws Exception {
        redis = RedisServerProcess.start();
        int port = start(Map.of("S3LP_LOCK_REDIS", redis.uri().toString()));
        try (TestClient client = new TestClient(port)) {
            client.send(client.signedHead("PUT", "/bucket/held", Map.of("Content-Length", "5"), BODY, Map.of()));
            client.send(java.util.Arrays.copyOf(BODY, 2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!redis.command("EXISTS s3lp:lock:{bucket/held}").equals(":1") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(redis.command("EXISTS s3lp:lock:{bucket/held}")).as("lease held while the write runs").isEqualTo(":1");
            proxy.shutdown(Duration.ofMillis(200));
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(redis.command("KEYS s3lp:lock:*")).isEqualTo("*0");
        assertThat(redis.command("KEYS s3lp:holder:*")).as("released: nothing in doubt").isEqualTo("*0");
    }

    @Test
    void aWriteInDoubtAtShutdownKeepsItsLeaseToExpireSoTheNextWriterSettles() throws Exception {
        redis = RedisServerProcess.start();
        int port = start(Map.of("S3LP_LOCK_REDIS", redis.uri().toString()));
        upstream.enqueue(FakeUpstream.silent());
        try (TestClient client = new TestClient(port)) {
            sendPut(client, "/bucket/doubt");
            assertThat(upstream.take().complete()).as("the whole write reached the upstream").isTrue();
            proxy.shutdown(Duration.ofMillis(200));
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(redis.command("EXISTS s3lp:holder:{bucket/doubt}")).as("its holder marker stays").isEqualTo(":1");
        assertThat(records).singleElement().satisfies(rec -> assertThat(rec.aborted()).isTrue());
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
