package io.s3lockproxy.config;

import java.time.Duration;
import java.util.List;

/**
 * Everything the proxy is configured with; immutable and validated by {@link ConfigLoader}.
 *
 * @param listen             the S3 endpoint address
 * @param admin              the health and metrics address
 * @param region             the region clients sign for (informational: the client's scope is honoured)
 * @param virtualHostDomain  the domain under which {@code bucket.domain} host names are served, or null
 * @param credentials        the key pairs clients may use
 * @param auth               authentication settings
 * @param upstream           the S3 service behind the proxy
 * @param lock               write serialization settings
 * @param tls                the S3 listener's TLS settings ({@link TlsConfig#NONE} for plain HTTP)
 * @param log                access-log settings
 * @param client             client connection timeouts and limits
 * @param shutdownGrace      how long in-flight requests may run on after a shutdown began
 */
public record ProxyConfig(
        HostPort listen,
        HostPort admin,
        String region,
        String virtualHostDomain,
        List<ClientCredential> credentials,
        AuthConfig auth,
        UpstreamConfig upstream,
        LockConfig lock,
        TlsConfig tls,
        LogConfig log,
        ClientLimits client,
        Duration shutdownGrace) {
}
