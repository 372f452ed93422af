package io.s3lockproxy.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.s3lockproxy.config.ConfigException;
import io.s3lockproxy.config.TlsConfig;
import javax.net.ssl.SSLException;

/** The S3 listener's server TLS context, from the PEM files in {@code tls.certFile} and {@code tls.keyFile}. */
final class ServerTls {

    private ServerTls() {
    }

    /** Returns the context, or null when the listener serves plain HTTP. */
    static SslContext context(TlsConfig tls) {
        if (!tls.enabled()) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(tls.certFile().toFile(), tls.keyFile().toFile()).build();
        } catch (IllegalArgumentException | SSLException e) {
            // Netty says "... valid private key" or "... valid certificates"; name the file it means.
            String message = String.valueOf(e.getMessage());
            throw new ConfigException(message.contains("private key") ? "tls.keyFile" : "tls.certFile",
                    "cannot set up TLS: " + message);
        }
    }
}
