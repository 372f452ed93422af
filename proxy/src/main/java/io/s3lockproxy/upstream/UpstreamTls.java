package io.s3lockproxy.upstream;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.s3lockproxy.config.ConfigException;
import io.s3lockproxy.config.UpstreamConfig;
import javax.net.ssl.SSLException;

/** The client TLS context for an https upstream: the JDK's trust store, or the CAs in {@code upstream.caFile}. */
public final class UpstreamTls {

    private UpstreamTls() {
    }

    /** Returns the context for {@code upstream}, or null for a plain http endpoint. */
    public static SslContext context(UpstreamConfig upstream) {
        if (!upstream.tls()) {
            return null;
        }
        SslContextBuilder builder = SslContextBuilder.forClient()
                // The certificate must name the endpoint's host (DNS name or IP address).
                .endpointIdentificationAlgorithm("HTTPS");
        if (upstream.caFile() != null) {
            try {
                builder.trustManager(upstream.caFile().toFile());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("upstream.caFile", "no PEM certificates in " + upstream.caFile() + ": " + e.getMessage());
            }
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(upstream.caFile() != null ? "upstream.caFile" : "upstream.endpoint",
                    "cannot set up TLS to the upstream: " + e.getMessage());
        }
    }
}
