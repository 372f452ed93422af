package io.s3lockproxy.admin;

import io.s3lockproxy.lock.LockSnapshot;
import io.s3lockproxy.metrics.ProxyMetrics;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the admin endpoints read.
 *
 * @param readiness  the {@code /readyz} checks
 * @param metrics    the registry {@code /metrics} scrapes
 * @param heldLocks  the keys held right now, for {@code /locks}
 */
public record AdminEndpoints(Readiness readiness, ProxyMetrics metrics, Supplier<List<LockSnapshot>> heldLocks) {

    /** The {@code /readyz} check: completes with null when ready, else with the reason. */
    @FunctionalInterface
    public interface Readiness {
        CompletableFuture<String> problem();
    }
}
