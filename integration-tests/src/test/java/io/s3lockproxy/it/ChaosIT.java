package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Jepsen-style test of the product's first rule, "an acknowledged write is never lost and a
 * refused write never lands": 3 instances sharing one Redis (lease 1.5 s), several writers per
 * instance doing conditional read-modify-write increments of one counter whose value names every
 * write in its chain (some uploads paced so that locks are held while bodies stream), and a nemesis
 * that freezes lock holders past their lease, kills instances and Redis, flushes Redis, and
 * abandons uploads. {@link ChaosChecker} then compares the clients' outcomes and the writes the
 * backend committed with the final chain.
 *
 * <p>Runs per lock mode over three backends: S3Proxy 4.1.0 (checks If-Match when it starts on a
 * request, not atomically at commit), S3Proxy 2.6.0 (ignores If-Match) and {@link AtomicConditionGateway}
 * (If-Match checked atomically at commit). A control run without Redis (instances that do not
 * exclude each other) must show lost updates: proof that the checker can fail.
 *
 * <p>{@code -Dit.chaos.seconds} (default 25) is the load time of each run and
 * {@code -Dit.chaos.controlSeconds} (default 10) that of the control run, {@code -Dit.chaos.writers}
 * (default 3) the writers per instance; {@code -Dit.chaos.seed} repeats a run's choices and
 * {@code -Dit.chaos.faults=pause,flushall,…} (labels of {@link ChaosFault}) limits the nemesis.
 * Every run prints one summary line and appends it to {@code target/chaos-summary.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosIT {
    private static final int INSTANCES = 3;
    private static final long LEASE_MS = 1500;
    private static final long WAIT_MS = 10_000;
    /**
     * {@code upstream.readTimeoutMs}: shorter than the nemesis' longest network stall, so that some
     * writes end in doubt; a stall (at most 2.5 s) ends before the key's in-doubt lock does (this
     * timeout after the write's last byte, plus {@code lock.settleMs} = one lease).
     */
    private static final long UPSTREAM_READ_TIMEOUT_MS = 2000;
    private static final Duration LOAD = Duration.ofSeconds(Integer.getInteger("it.chaos.seconds", 25));
    private static final Duration CONTROL_LOAD = Duration.ofSeconds(Integer.getInteger("it.chaos.controlSeconds", 10));
    private static final Set<ChaosFault> FAULTS = faults(System.getProperty("it.chaos.faults", ""));
    private static final int WRITERS = Integer.getInteger("it.chaos.writers", 3);
    private static final Long SEED = Long.getLong("it.chaos.seed");
    private static final Path SUMMARY = Path.of("target", "chaos-summary.txt");
    /** For each run beyond its load time: the last op's answer and heal, settle, and cluster start and stop. */
    private static final Duration RUN_OVERHEAD = Duration.ofSeconds(215);

    enum Backend {
        S3PROXY_4_1_0("s3proxy-4.1.0"),
        S3PROXY_2_6_0("s3proxy-2.6.0"),
        ATOMIC("atomic(s3proxy-2.6.0)");

        final String label;

        Backend(String label) {
            this.label = label;
        }
    }

    private final Map<S3ProxyBackend.Release, S3ProxyBackend> s3proxies = new EnumMap<>(S3ProxyBackend.Release.class);
    private AtomicConditionGateway gateway;

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        s3proxies.values().forEach(S3ProxyBackend::close);
    }

    static Stream<Arguments> modesAndBackends() {
        List<Arguments> runs = new ArrayList<>();
        for (String mode : List.of("fenced", "serialize")) {
            for (Backend backend : Backend.values()) {
                runs.add(Arguments.of(mode, backend));
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("modesAndBackends")
    void acknowledgedWritesAreNeverLostAndRefusedWritesNeverLand(String mode, Backend backend) {
        ChaosRun.Result result = assertTimeoutPreemptively(LOAD.plus(RUN_OVERHEAD),
                () -> run(mode, mode, backend, true, LOAD));
        ChaosFindings findings = result.report().findings();
        String context = String.format("%s%n%s", result.report().summary(), result.report().details(10));
        assertThat(result.nemesisFailure()).as("the nemesis injected and healed every fault").isNull();
        assertThat(findings.lost()).as("acknowledged writes missing from the chain: %s", context).isEmpty();
        assertThat(findings.refusedButCommitted()).as("refused writes that landed: %s", context).isEmpty();
        assertThat(findings.falseCondition()).as("committed writes overwritten on a stale condition: %s", context)
                .isEmpty();
        assertThat(findings.chainErrors()).as("the chain itself: %s", context).isEmpty();
    }

    /** Local locks only: the instances do not exclude each other, the backend ignores If-Match, so updates are lost. */
    @Test
    void controlRunWithoutRedisLosesUpdatesAndTheCheckerSeesIt() {
        ChaosRun.Result result = assertTimeoutPreemptively(CONTROL_LOAD.plus(RUN_OVERHEAD),
                () -> run("serialize", "serialize-no-redis", Backend.S3PROXY_2_6_0, false, CONTROL_LOAD));
        ChaosFindings findings = result.report().findings();
        assertThat(result.nemesisFailure()).as("the nemesis injected and healed every fault").isNull();
        assertThat(findings.lost().size() + findings.falseCondition().size())
                .as("lost + false-condition commits without a shared lock: %s", result.report().summary())
                .isPositive();
        assertThat(findings.chainErrors()).as("the chain itself: %s", result.report().summary()).isEmpty();
    }

    private ChaosRun.Result run(String mode, String label, Backend backend, boolean withRedis, Duration load)
            throws Exception {
        long seed = SEED != null ? SEED : ThreadLocalRandom.current().nextLong();
        System.out.printf("ChaosIT mode=%s backend=%s seed=%d: %d s of load, %d writers per instance, faults %s%n",
                label, backend.label, seed, load.toSeconds(), WRITERS, FAULTS.stream().map(f -> f.label).toList());
        ChaosRun.Settings settings = new ChaosRun.Settings(label, backend.label, WRITERS, load, FAULTS, seed, LEASE_MS);
        ChaosRun.Result result;
        long start = System.nanoTime();
        long started;
        try (LockingCluster cluster = LockingCluster.start(backend(backend), "ChaosIT-" + label + "-" + backend,
                withRedis, INSTANCES, b -> b.leaseMs(LEASE_MS).waitMs(WAIT_MS).lockMode(mode)
                        .upstreamYaml("readTimeoutMs: " + UPSTREAM_READ_TIMEOUT_MS))) {
            started = System.nanoTime();
            result = ChaosRun.run(cluster, settings);
        }
        System.out.printf("  cluster started in %d ms; writers and nemesis done %d ms after the load; %d ms in all%n",
                TimeUnit.NANOSECONDS.toMillis(started - start), result.drain().toMillis(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        result.nemesisEvents().forEach(e -> System.out.println("  nemesis " + e));
        if (result.nemesisFailure() != null) {
            result.nemesisFailure().printStackTrace(System.out);
        }
        if (!result.settled()) {
            System.out.println("  (a write of the counter was still in flight at the check)");
        }
        String details = result.report().details(10);
        if (!details.isEmpty()) {
            System.out.println(details.indent(2).stripTrailing());
        }
        String summary = result.report().summary();
        System.out.println(summary);
        appendSummary(summary);
        return result;
    }

    private S3Backend backend(Backend backend) {
        return switch (backend) {
            case S3PROXY_4_1_0 -> s3proxy(S3ProxyBackend.Release.V4_1_0);
            case S3PROXY_2_6_0 -> s3proxy(S3ProxyBackend.Release.V2_6_0);
            case ATOMIC -> {
                if (gateway == null) {
                    gateway = AtomicConditionGateway.inFrontOf(s3proxy(S3ProxyBackend.Release.V2_6_0));
                }
                yield gateway;
            }
        };
    }

    private S3ProxyBackend s3proxy(S3ProxyBackend.Release release) {
        return s3proxies.computeIfAbsent(release, S3ProxyBackend::start);
    }

    /** The faults named in a comma-separated list of labels; all of them for an empty list. */
    private static Set<ChaosFault> faults(String labels) {
        if (labels.isBlank()) {
            return EnumSet.allOf(ChaosFault.class);
        }
        Set<ChaosFault> chosen = EnumSet.noneOf(ChaosFault.class);
        for (String label : labels.split(",")) {
            chosen.add(Arrays.stream(ChaosFault.values()).filter(f -> f.label.equals(label.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("it.chaos.faults: no fault " + label + "; one of "
                            + Arrays.stream(ChaosFault.values()).map(f -> f.label).toList())));
        }
        return chosen;
    }

    private static void appendSummary(String line) throws IOException {
        Files.createDirectories(SUMMARY.getParent());
        Files.writeString(SUMMARY, line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
