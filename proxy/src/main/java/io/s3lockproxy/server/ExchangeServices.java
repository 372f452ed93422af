package io.s3lockproxy.server;

import io.s3lockproxy.upstream.OriginPool;
import io.s3lockproxy.upstream.Resigner;

/**
 * The shared, thread-safe collaborators every exchange uses.
 *
 * @param admission    parses, authenticates, authorizes and plans each request
 * @param writes       key locks and conditions for writes
 * @param resigner     signs upstream requests
 * @param origins      pooled upstream connections, per event loop
 * @param observer     told about every request when it ends (metrics, access log)
 * @param connections  the open client connections (graceful shutdown)
 */
record ExchangeServices(
        Admission admission,
        WriteServices writes,
        Resigner resigner,
        OriginPool origins,
        RequestObserver observer,
        ClientConnections connections) {
}
