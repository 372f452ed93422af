package io.s3lockproxy.server;

import io.s3lockproxy.metrics.ProxyMetrics;

/** Feeds every finished request into the request meters. */
public final class MetricsObserver implements RequestObserver {
    private final ProxyMetrics metrics;

    public MetricsObserver(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void requestEnded(RequestRecord r) {
        metrics.request(r.operation(), r.status(), r.aborted(), r.bytesIn(), r.bytesOut(), r.totalNanos());
        if (r.upstreamError() != null) {
            metrics.upstreamError(r.upstreamError().name());
        }
    }
}
