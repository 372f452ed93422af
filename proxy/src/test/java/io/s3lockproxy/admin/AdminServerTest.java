package io.s3lockproxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.HostPort;
import io.s3lockproxy.lock.LockSnapshot;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.metrics.ProxyMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin listener over real HTTP. */
@Timeout(20)
class AdminServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ProxyMetrics metrics = new ProxyMetrics();
    private final AtomicReference<String> problem = new AtomicReference<>();
    private AdminServer admin;

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void start(List<LockSnapshot> held) throws InterruptedException {
        start(held, Map.of());
    }

    private void start(List<LockSnapshot> held, Map<String, Map<String, String>> protection) throws InterruptedException {
        admin = AdminServer.start(new HostPort("127.0.0.1", 0),
                new AdminEndpoints(() -> CompletableFuture.completedFuture(problem.get()), metrics, () -> held,
                        () -> protection));
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void healthAndReadiness() throws Exception {
        start(List.of());
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        problem.set("Redis does not answer");
        HttpResponse<String> notReady = get("/readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("Redis does not answer");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void metricsInPrometheusTextFormatWithRequestAndLockFigures() throws Exception {
        start(List.of());
        LockMetrics lock = new LockMetrics();
        LockMeters.bind(metrics, lock, () -> 3);
        System.gc(); // the registry must keep what it reads alive
        metrics.request("PUT_OBJECT", 200, false, 1000, 0, 12_000_000);
        metrics.request("GET_OBJECT", 404, false, 0, 250, 3_000_000);
        metrics.upstreamError("READ_TIMEOUT");
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body())
                .contains("s3lp_requests_seconds_count{operation=\"PUT_OBJECT\",outcome=\"completed\",status=\"200\"} 1")
                .contains("s3lp_requests_seconds_bucket{operation=\"GET_OBJECT\",outcome=\"completed\",status=\"404\",le=\"0.005\"} 1")
                .contains("s3lp_client_received_bytes_total{operation=\"PUT_OBJECT\"} 1000.0")
                .contains("s3lp_client_sent_bytes_total{operation=\"GET_OBJECT\"} 250.0")
                .contains("s3lp_upstream_errors_total{kind=\"READ_TIMEOUT\"} 1.0")
                .contains("s3lp_lock_fence_rejections_total 3.0")
                .contains("s3lp_lock_wait_seconds_count 0")
                .contains("s3lp_lock_hold_seconds_sum 0.0")
                .contains("s3lp_lock_held 0.0")
                .contains("s3lp_lock_waiters 0.0")
                .contains("s3lp_lock_contended_total 0.0")
                .contains("s3lp_lock_timeouts_total 0.0")
                .contains("s3lp_lock_leases_lost_total 0.0")
                .contains("s3lp_lock_redis_unavailable_total 0.0")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void locksAsJson() throws Exception {
        start(List.of(new LockSnapshot("b", "dir/\"q\".txt", "host-1", "ABC", 42, 1500, 2, true)));
        HttpResponse<String> r = get("/locks");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"locks\":[\n  {\"bucket\":\"b\",\"key\":\"dir/\\\"q\\\".txt\",\"instance\":\"host-1\","
                + "\"requestId\":\"ABC\",\"token\":42,\"ageMs\":1500,\"waiters\":2,\"distributed\":true}\n],"
                + "\"storageProtection\":{}}\n");
    }

    @Test
    void locksShowWhatEachBucketsUpstreamEnforces() throws Exception {
        start(List.of(), Map.of("b1", Map.of("writes", "atomic at commit", "deletes", "enforced"),
                "b2", Map.of("writes", "not enforced", "deletes", "ignored")));
        assertThat(get("/locks").body()).isEqualTo("{\"locks\":[],\"storageProtection\":{\n"
                + "  \"b1\":{\"deletes\":\"enforced\",\"writes\":\"atomic at commit\"},\n"
                + "  \"b2\":{\"deletes\":\"ignored\",\"writes\":\"not enforced\"}\n}}\n");
    }
}
