package io.s3lockproxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real S3 service behind the proxy.
 *
 * @param endpoint        scheme, host and port (http or https)
 * @param region          the region requests are signed for
 * @param accessKey       the proxy's own access key at the upstream
 * @param secretKey       the matching secret
 * @param pathStyle       whether the bucket goes into the path rather than the host name
 * @param payload         how request bodies are declared upstream
 * @param connectTimeout  how long to wait for a TCP (and TLS) connection
 * @param readTimeout     how long the upstream may stay silent while a response is due
 * @param credentials     where the upstream credentials come from; {@code accessKey} and
 *                        {@code secretKey} are null unless it is {@link UpstreamCredentialsSource#STATIC}
 * @param caFile          PEM bundle of the CAs trusted for an https upstream, or null for the JDK's default trust store
 * @param maxConnections  how many connections to the upstream may be in use at once (idle keep-alive
 *                        ones aside); a request that needs one more gets 503 SlowDown
 */
public record UpstreamConfig(
        URI endpoint,
        String region,
        String accessKey,
        String secretKey,
        boolean pathStyle,
        PayloadForwarding payload,
        Duration connectTimeout,
        Duration readTimeout,
        UpstreamCredentialsSource credentials,
        Path caFile,
        int maxConnections) {

    /** The default bound on open upstream connections. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;

    /** Settings with the default bound on upstream connections. */
    public UpstreamConfig(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
                          PayloadForwarding payload, Duration connectTimeout, Duration readTimeout,
                          UpstreamCredentialsSource credentials, Path caFile) {
        this(endpoint, region, accessKey, secretKey, pathStyle, payload, connectTimeout, readTimeout, credentials,
                caFile, DEFAULT_MAX_CONNECTIONS);
    }

    /** Static credentials, the JDK's trust store. */
    public UpstreamConfig(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
                          PayloadForwarding payload, Duration connectTimeout, Duration readTimeout) {
        this(endpoint, region, accessKey, secretKey, pathStyle, payload, connectTimeout, readTimeout,
                UpstreamCredentialsSource.STATIC, null);
    }

    /** Returns whether the upstream is reached over TLS. */
    public boolean tls() {
        return "https".equalsIgnoreCase(endpoint.getScheme());
    }

    /** Returns the upstream port, defaulting by scheme. */
    public int port() {
        return endpoint.getPort() > 0 ? endpoint.getPort() : tls() ? 443 : 80;
    }

    @Override
    public String toString() {
        return "UpstreamConfig[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
                + ", secretKey=<redacted>, pathStyle=" + pathStyle + ", payload=" + payload
                + ", credentials=" + credentials + ", caFile=" + caFile + ", maxConnections=" + maxConnections + "]";
    }
}
