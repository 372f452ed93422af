package io.s3lockproxy.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /readyz}: ready when the S3 listener serves (started, not shutting down), the upstream
 * accepts a TCP connection, and Redis (when configured) answers PING.
 *
 * <p>The probes block, so they run on a thread of their own, one round at a time; the outcome of
 * the upstream and Redis probes is kept for {@link #CACHE} so that frequent polls by several
 * orchestrators cost one probe. The server state is checked on every call.
 */
public final class ProbeReadiness implements AdminEndpoints.Readiness, AutoCloseable {
    static final Duration CACHE = Duration.ofSeconds(3);

    private final BooleanSupplier serving;
    private final URI upstream;
    private final Duration connectTimeout;
    private final Supplier<String> redisProblem;
    private final ExecutorService probes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "s3lp-admin-probe");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<String> last;
    private long lastStartedNanos;

    /**
     * @param serving         whether the S3 listener is up and not shutting down
     * @param upstream        the upstream endpoint
     * @param connectTimeout  how long the TCP probe may take
     * @param redisProblem    null when Redis is fine or not configured, else the problem (may block)
     */
    public ProbeReadiness(BooleanSupplier serving, URI upstream, Duration connectTimeout, Supplier<String> redisProblem) {
        this.serving = serving;
        this.upstream = upstream;
        this.connectTimeout = connectTimeout;
        this.redisProblem = redisProblem;
    }

    @Override
    public CompletableFuture<String> problem() {
        if (!serving.getAsBoolean()) {
            return CompletableFuture.completedFuture("the S3 listener is not serving (starting or shutting down)");
        }
        return dependencies();
    }

    private synchronized CompletableFuture<String> dependencies() {
        long now = System.nanoTime();
        if (last == null || (last.isDone() && now - lastStartedNanos > CACHE.toNanos())) {
            lastStartedNanos = now;
            last = CompletableFuture.supplyAsync(this::probe, probes);
        }
        return last;
    }

    private String probe() {
        String host = upstream.getHost();
        int port = upstream.getPort() > 0 ? upstream.getPort() : "https".equalsIgnoreCase(upstream.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
        } catch (IOException e) {
            return "upstream " + host + ":" + port + " does not accept connections (" + e.getMessage() + ")";
        }
        return redisProblem.get();
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
