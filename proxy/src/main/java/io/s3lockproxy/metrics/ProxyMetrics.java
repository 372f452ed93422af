package io.s3lockproxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The proxy's meters in one Prometheus registry: request timers and byte counters fed per request,
 * and figures owned elsewhere (the lock engine's counters) bound as functions read at scrape time.
 *
 * <p>Thread-safe; recording costs a map lookup and a few atomic adds. README's metrics reference
 * lists every name this class registers.
 */
public final class ProxyMetrics {
    /** Latency buckets of {@code s3lp_requests_seconds}: small requests to long uploads. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();

    /** Creates the registry with the JVM basics (memory, GC, threads, CPU, uptime) bound. */
    public ProxyMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        bindCollectors();
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Collections and their time per collector, read at scrape time. Micrometer's JvmGcMetrics listens
     * for a JMX notification after every collection instead, and building those notifications cost
     * 1–2 % of the CPU under load with a small young generation (async-profiler, BENCHMARKS §1.3).
     */
    private void bindCollectors() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionTimer.builder("jvm.gc.collections", gc, GarbageCollectorMXBean::getCollectionCount,
                            GarbageCollectorMXBean::getCollectionTime, TimeUnit.MILLISECONDS)
                    .description("Garbage collections and the time they took, by collector")
                    .tag("gc", gc.getName())
                    .register(registry);
        }
    }

    /**
     * Records one finished request.
     *
     * @param operation  the S3 operation name
     * @param status     the HTTP status sent, or 0 when none was
     * @param aborted    whether the connection was cut before the response was complete
     */
    public void request(String operation, int status, boolean aborted, long bytesIn, long bytesOut, long nanos) {
        String statusTag = status == 0 ? "none" : Integer.toString(status);
        String outcome = aborted ? "aborted" : "completed";
        // Meters are looked up in maps of our own: Micrometer's builder-and-register on every request
        // showed in profiles of the request path.
        timers.computeIfAbsent(operation + ' ' + statusTag + ' ' + outcome, k -> Timer.builder("s3lp.requests")
                .description("Client requests by S3 operation and response status, from request head to end")
                .tags("operation", operation, "status", statusTag, "outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        received.computeIfAbsent(operation, k -> Counter.builder("s3lp.client.received").baseUnit("bytes")
                .description("Request body bytes received from clients")
                .tag("operation", operation).register(registry)).increment(bytesIn);
        sent.computeIfAbsent(operation, k -> Counter.builder("s3lp.client.sent").baseUnit("bytes")
                .description("Response body bytes sent to clients")
                .tag("operation", operation).register(registry)).increment(bytesOut);
    }

    /** Counts one request whose upstream call failed, by {@code kind} (UpstreamError name). */
    public void upstreamError(String kind) {
        Counter.builder("s3lp.upstream.errors")
                .description("Upstream calls that failed before or while answering, by kind")
                .tag("kind", kind).register(registry).increment();
    }

    /** Registers a counter read from {@code value} at scrape time (it must only grow). */
    public void functionCounter(String name, String description, Supplier<Number> value) {
        // Micrometer holds the state object weakly: use this registry owner, not the short-lived supplier.
        FunctionCounter.builder(name, this, m -> value.get().doubleValue()).description(description).register(registry);
    }

    /** Registers a gauge read from {@code value} at scrape time. */
    public void gauge(String name, String description, String baseUnit, Supplier<Number> value) {
        Gauge.builder(name, this, m -> value.get().doubleValue()).description(description).baseUnit(baseUnit)
                .register(registry);
    }

    /** Registers a timer whose count and total (in milliseconds) are read at scrape time. */
    public void functionTimer(String name, String description, Supplier<Number> count, Supplier<Number> totalMillis) {
        FunctionTimer.builder(name, this, m -> count.get().longValue(), m -> totalMillis.get().doubleValue(),
                TimeUnit.MILLISECONDS).description(description).register(registry);
    }

    /** Returns the underlying registry (tests, further binders). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Returns every meter in the Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** Returns the Content-Type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }
}
