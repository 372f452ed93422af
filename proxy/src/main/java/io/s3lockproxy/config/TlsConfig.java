package io.s3lockproxy.config;

import java.nio.file.Path;

/**
 * The S3 listener's TLS settings: when both files are set, {@code listen} serves HTTPS only.
 *
 * @param certFile  PEM certificate chain, the server's certificate first; null for plain HTTP
 * @param keyFile   PEM PKCS#8 private key of that certificate, unencrypted; null for plain HTTP
 */
public record TlsConfig(Path certFile, Path keyFile) {

    /** Plain HTTP. */
    public static final TlsConfig NONE = new TlsConfig(null, null);

    /** Returns whether the listener serves HTTPS. */
    public boolean enabled() {
        return certFile != null;
    }
}
