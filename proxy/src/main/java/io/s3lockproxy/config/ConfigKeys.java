package io.s3lockproxy.config;

import java.util.List;
import java.util.Locale;

/** Every configuration key the proxy accepts, and the environment variable names that override them. */
public final class ConfigKeys {
    /** The prefix of every environment override. */
    public static final String ENV_PREFIX = "S3LP_";

    /** Keys in dotted form; {@code credentials.N.accessKey} entries are listed as {@code credentials[].accessKey}. */
    public static final List<String> ALL = List.of(
            "listen", "admin", "region", "virtualHostDomain",
            "credentials[].accessKey", "credentials[].secretKey",
            "auth.maxClockSkewMs", "auth.acceptSessionTokens",
            "upstream.endpoint", "upstream.region", "upstream.accessKey", "upstream.secretKey",
            "upstream.pathStyle", "upstream.payloadMode", "upstream.connectTimeoutMs", "upstream.readTimeoutMs",
            "lock.redis", "lock.leaseMs", "lock.waitMs", "lock.mode", "lock.onRedisDown",
            "log.access", "log.format", "shutdown.graceMs");

    private ConfigKeys() {
    }

    /** Returns the environment variable name for a dotted key segment list: {@code S3LP_UPSTREAM_ACCESSKEY}. */
    public static String envName(List<String> segments) {
        return ENV_PREFIX + String.join("_", segments).toUpperCase(Locale.ROOT);
    }

    /** Returns the snake-case variant: {@code S3LP_UPSTREAM_ACCESS_KEY}. */
    public static String snakeEnvName(List<String> segments) {
        StringBuilder b = new StringBuilder(ENV_PREFIX);
        for (int i = 0; i < segments.size(); i++) {
            if (i > 0) {
                b.append('_');
            }
            b.append(segments.get(i).replaceAll("([a-z0-9])([A-Z])", "$1_$2"));
        }
        return b.toString().toUpperCase(Locale.ROOT);
    }
}
