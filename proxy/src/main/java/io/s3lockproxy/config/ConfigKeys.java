package io.s3lockproxy.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Every configuration key the proxy accepts, and the environment variable names that override them. */
public final class ConfigKeys {
    /** The prefix of every environment override. */
    public static final String ENV_PREFIX = "S3LP_";

    /** Keys in dotted form; {@code credentials.N.accessKey} entries are listed as {@code credentials[].accessKey}. */
    public static final List<String> ALL = List.of(
            "listen", "admin", "region", "virtualHostDomain",
            "credentials[].accessKey", "credentials[].secretKey",
            "auth.maxClockSkewMs", "auth.acceptSessionTokens", "auth.sigV2", "auth.anonymous",
            "upstream.endpoint", "upstream.region", "upstream.accessKey", "upstream.secretKey",
            "upstream.pathStyle", "upstream.payloadMode", "upstream.connectTimeoutMs", "upstream.readTimeoutMs",
            "lock.redis", "lock.leaseMs", "lock.waitMs", "lock.mode", "lock.onRedisDown", "lock.commitMarginMs",
            "lock.settleMs",
            "credentials[].buckets", "credentials[].readOnly", "credentials[].bucketAdmin",
            "upstream.credentials", "upstream.caFile",
            "tls.certFile", "tls.keyFile",
            "log.access", "log.format", "shutdown.graceMs",
            "client.headerTimeoutMs", "client.idleTimeoutMs", "client.bodyIdleTimeoutMs", "client.maxConnections",
            "lock.maxWaitersPerKey", "upstream.maxConnections");

    private static final Pattern LIST_ITEM = Pattern.compile("S3LP_CREDENTIALS_(\\d+)_(.+)");

    private ConfigKeys() {
    }

    /**
     * Returns the key of {@link #ALL} that environment variable {@code envName} overrides, in the
     * form {@code ALL} lists it ({@code upstream.accessKey}, {@code credentials[].secretKey}), or
     * empty when the name has the prefix but names no key, or lacks the prefix.
     */
    public static Optional<String> keyForEnv(String envName) {
        if (!envName.startsWith(ENV_PREFIX)) {
            return Optional.empty();
        }
        Matcher item = LIST_ITEM.matcher(envName);
        for (String key : ALL) {
            if (key.startsWith("credentials[].")) {
                List<String> field = List.of(key.substring("credentials[].".length()));
                String suffix = item.matches() ? ENV_PREFIX + item.group(2) : null;
                if (suffix != null && (suffix.equals(envName(field)) || suffix.equals(snakeEnvName(field)))) {
                    return Optional.of(key);
                }
                continue;
            }
            List<String> segments = Arrays.asList(key.split("\\."));
            if (envName.equals(envName(segments)) || envName.equals(snakeEnvName(segments))) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
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
