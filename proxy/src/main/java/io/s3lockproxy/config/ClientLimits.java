package io.s3lockproxy.config;

import java.time.Duration;

/**
 * How long a client connection may stall, and how many may be open.
 *
 * @param headerTimeout    how long a request head may take to arrive, from its first byte
 * @param idleTimeout      how long a connection with no request under way stays open
 * @param bodyIdleTimeout  how long a request body may pause while the proxy waits for it; then 400
 *                         RequestTimeout, and the request's locks are released
 * @param maxConnections   how many client connections may be open; requests on any beyond get 503 SlowDown
 */
public record ClientLimits(Duration headerTimeout, Duration idleTimeout, Duration bodyIdleTimeout, int maxConnections) {

    /** The defaults: heads within 20 s, idle connections closed after 75 s, bodies paused at most 20 s, 4,096 connections. */
    public static final ClientLimits DEFAULT = new ClientLimits(Duration.ofSeconds(20), Duration.ofSeconds(75),
            Duration.ofSeconds(20), 4096);
}
