package io.s3lockproxy.admin;

import io.s3lockproxy.lock.LockSnapshot;
import io.s3lockproxy.metrics.ProxyMetrics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the admin endpoints read.
 *
 * @param readiness  the {@code /readyz} checks
 * @param metrics    the registry {@code /metrics} scrapes
 * @param heldLocks  the keys held right now, for {@code /locks}
 * @param storageProtection  per bucket, what its upstream enforces of the conditions fencing
 *                   relies on ({@code writes}, {@code deletes} → description), for {@code /locks}
 */
public record AdminEndpoints(Readiness readiness, ProxyMetrics metrics, Supplier<List<LockSnapshot>> heldLocks,
                             Supplier<Map<String, Map<String, String>>> storageProtection) {

    /** Endpoints without storage protection facts (nothing probed). */
    public AdminEndpoints(Readiness readiness, ProxyMetrics metrics, Supplier<List<LockSnapshot>> heldLocks) {
        this(readiness, metrics, heldLocks, Map::of);
    }

    /** The {@code /readyz} check: completes with null when ready, else with the reason. */
    @FunctionalInterface
    public interface Readiness {
        CompletableFuture<String> problem();
    }
}
