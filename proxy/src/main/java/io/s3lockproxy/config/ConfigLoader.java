package io.s3lockproxy.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML configuration, applies {@code S3LP_…} environment overrides and validates
 * every key; a problem stops start-up with a {@link ConfigException} that names the key.
 */
public final class ConfigLoader {

    private static final java.util.regex.Pattern BUCKET_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,255}");

    private ConfigLoader() {
    }

    /** Returns the configuration in {@code file} (may be null: defaults and environment only) with {@code env} applied. */
    public static ProxyConfig load(Path file, Map<String, String> env) {
        Map<String, Object> root = file == null ? new LinkedHashMap<>() : readYaml(file);
        EnvOverrides.apply(root, env);
        return fromTree(new ConfigTree(root));
    }

    private static Map<String, Object> readYaml(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            if (parsed == null) {
                return new LinkedHashMap<>();
            }
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new ConfigException("(root)", "the file must hold a YAML mapping");
            }
            return ConfigTree.stringKeys("(root)", map);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
        } catch (YAMLException e) {
            throw new ConfigException("--config", "not valid YAML in " + file + ": " + e.getMessage());
        }
    }

    private static ProxyConfig fromTree(ConfigTree t) {
        HostPort listen = HostPort.parse("listen", t.string("listen", "127.0.0.1:8080"));
        HostPort admin = HostPort.parse("admin", t.string("admin", "127.0.0.1:8081"));
        String region = t.string("region", "us-east-1");
        String vhost = t.string("virtualHostDomain", null);
        List<ClientCredential> credentials = credentials(t);
        AuthConfig auth = new AuthConfig(
                t.duration("auth.maxClockSkewMs", Duration.ofMinutes(15)),
                t.bool("auth.acceptSessionTokens", false),
                t.bool("auth.sigV2", true),
                t.enumValue("auth.anonymous", AnonymousAccess.class, AnonymousAccess.FORWARD, "forward", "deny"));
        UpstreamConfig upstream = upstream(t);
        LockConfig lock = lock(t);
        TlsConfig tls = tls(t);
        LogConfig log = new LogConfig(t.bool("log.access", true),
                t.enumValue("log.format", LogConfig.Format.class, LogConfig.Format.TEXT));
        ClientLimits client = clientLimits(t);
        Duration shutdownGrace = t.duration("shutdown.graceMs", Duration.ofSeconds(30));
        t.rejectUnknown();
        if (listen.equals(admin) && listen.port() != 0) {
            throw new ConfigException("admin", "must differ from listen (" + listen + ")");
        }
        return new ProxyConfig(listen, admin, region, vhost, credentials, auth, upstream, lock, tls, log,
                client, shutdownGrace);
    }

    private static ClientLimits clientLimits(ConfigTree t) {
        ClientLimits d = ClientLimits.DEFAULT;
        return new ClientLimits(
                t.positiveDuration("client.headerTimeoutMs", d.headerTimeout()),
                t.positiveDuration("client.idleTimeoutMs", d.idleTimeout()),
                t.positiveDuration("client.bodyIdleTimeoutMs", d.bodyIdleTimeout()),
                t.positiveInt("client.maxConnections", d.maxConnections()));
    }

    private static List<ClientCredential> credentials(ConfigTree t) {
        List<Map<String, Object>> entries = t.list("credentials");
        if (entries.isEmpty()) {
            throw new ConfigException("credentials", "at least one accessKey/secretKey pair is required");
        }
        List<ClientCredential> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            ConfigTree e = new ConfigTree(entries.get(i), "credentials." + i + ".");
            String ak = e.requiredString("accessKey");
            String sk = e.requiredString("secretKey");
            List<String> buckets = buckets(e, "credentials." + i + ".buckets");
            boolean readOnly = e.bool("readOnly", false);
            boolean bucketAdmin = e.bool("bucketAdmin", false);
            e.rejectUnknown();
            if (out.stream().anyMatch(c -> c.accessKey().equals(ak))) {
                throw new ConfigException("credentials." + i + ".accessKey", "duplicate access key " + ak);
            }
            if (bucketAdmin && buckets.isEmpty() && !readOnly) {
                throw new ConfigException("credentials." + i + ".bucketAdmin", "only means something with buckets or"
                        + " readOnly: a key without limits administers every bucket already");
            }
            out.add(new ClientCredential(ak, sk, buckets, readOnly, bucketAdmin));
        }
        return List.copyOf(out);
    }

    private static List<String> buckets(ConfigTree e, String key) {
        List<String> names = e.stringList("buckets");
        if (names == null) {
            return List.of();
        }
        if (names.isEmpty() || names.stream().allMatch(String::isEmpty)) {
            throw new ConfigException(key, "must name at least one bucket (leave the key out to allow every bucket)");
        }
        for (String name : names) {
            if (!BUCKET_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw new ConfigException(key, "'" + name + "' is not a bucket name (letters, digits, '.', '-', '_';"
                        + " no wildcards)");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(names));
    }

    private static UpstreamConfig upstream(ConfigTree t) {
        String raw = t.requiredString("upstream.endpoint");
        URI endpoint;
        try {
            endpoint = new URI(raw);
        } catch (URISyntaxException e) {
            throw new ConfigException("upstream.endpoint", "not a URI: " + raw);
        }
        String scheme = endpoint.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || endpoint.getHost() == null) {
            throw new ConfigException("upstream.endpoint", "expected http://host[:port] or https://host[:port], got " + raw);
        }
        if (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !endpoint.getRawPath().equals("/")) {
            throw new ConfigException("upstream.endpoint", "must not have a path, got " + raw);
        }
        UpstreamCredentialsSource source = t.enumValue("upstream.credentials", UpstreamCredentialsSource.class,
                UpstreamCredentialsSource.STATIC, "static", "default-chain");
        String accessKey;
        String secretKey;
        if (source == UpstreamCredentialsSource.STATIC) {
            accessKey = t.requiredString("upstream.accessKey");
            secretKey = t.requiredString("upstream.secretKey");
        } else {
            for (String key : List.of("upstream.accessKey", "upstream.secretKey")) {
                String v = t.string(key, null);
                if (v != null && !v.isBlank()) {
                    throw new ConfigException(key, "must not be set with upstream.credentials: default-chain"
                            + " (the AWS provider chain supplies the credentials)");
                }
            }
            accessKey = null;
            secretKey = null;
        }
        Path caFile = t.readableFile("upstream.caFile");
        if (caFile != null && !scheme.equalsIgnoreCase("https")) {
            throw new ConfigException("upstream.caFile", "only applies to an https:// upstream.endpoint, got " + raw);
        }
        if (caFile != null) {
            PemFiles.certificates("upstream.caFile", caFile);
        }
        return new UpstreamConfig(
                endpoint,
                t.string("upstream.region", "us-east-1"),
                accessKey,
                secretKey,
                t.bool("upstream.pathStyle", true),
                t.enumValue("upstream.payloadMode", PayloadForwarding.class, PayloadForwarding.AUTO),
                t.duration("upstream.connectTimeoutMs", Duration.ofSeconds(5)),
                t.duration("upstream.readTimeoutMs", Duration.ofSeconds(60)),
                source,
                caFile,
                t.positiveInt("upstream.maxConnections", UpstreamConfig.DEFAULT_MAX_CONNECTIONS));
    }

    private static TlsConfig tls(ConfigTree t) {
        Path cert = t.readableFile("tls.certFile");
        Path key = t.readableFile("tls.keyFile");
        if (cert == null && key == null) {
            return TlsConfig.NONE;
        }
        if (cert == null) {
            throw new ConfigException("tls.certFile", "is required when tls.keyFile is set");
        }
        if (key == null) {
            throw new ConfigException("tls.keyFile", "is required when tls.certFile is set");
        }
        var chain = PemFiles.certificates("tls.certFile", cert);
        var privateKey = PemFiles.privateKey("tls.keyFile", key);
        if (!PemFiles.matches(privateKey, chain.get(0))) {
            throw new ConfigException("tls.keyFile", "is not the private key of the first certificate in tls.certFile");
        }
        return new TlsConfig(cert, key);
    }

    private static LockConfig lock(ConfigTree t) {
        String redis = t.string("lock.redis", null);
        URI redisUri = null;
        if (redis != null && !redis.isBlank()) {
            try {
                redisUri = new URI(redis);
            } catch (URISyntaxException e) {
                throw new ConfigException("lock.redis", "not a URI: " + redis);
            }
            if (!Arrays.asList("redis", "rediss", "redis-sentinel", "redis-cluster", "rediss-cluster")
                    .contains(String.valueOf(redisUri.getScheme()).toLowerCase(Locale.ROOT))) {
                throw new ConfigException("lock.redis", "expected redis://host:port, rediss://host:port,"
                        + " redis-sentinel://host:port[,host:port]/masterName or redis-cluster://host:port[,host:port]");
            }
        }
        Duration lease = t.duration("lock.leaseMs", Duration.ofSeconds(30));
        Duration wait = t.duration("lock.waitMs", Duration.ofSeconds(10));
        if (lease.toMillis() < 100) {
            throw new ConfigException("lock.leaseMs", "must be at least 100 ms");
        }
        Duration margin = t.duration("lock.commitMarginMs", LockConfig.defaultCommitMargin(lease));
        // Renewals run every lease/3 and the holder's own deadline is 0.9 lease after a renewal was
        // sent, so a healthy holder always has more than half a lease left: a margin up to that is met.
        if (margin.isZero() || margin.compareTo(lease.dividedBy(2)) > 0) {
            throw new ConfigException("lock.commitMarginMs", "must be more than 0 and at most half of lock.leaseMs ("
                    + lease.dividedBy(2).toMillis() + " ms)");
        }
        Duration settle = t.duration("lock.settleMs", lease);
        return new LockConfig(redisUri, lease, wait,
                t.enumValue("lock.mode", LockConfig.Mode.class, LockConfig.Mode.FENCED),
                t.enumValue("lock.onRedisDown", LockConfig.OnRedisDown.class, LockConfig.OnRedisDown.FAIL),
                margin, settle, t.positiveInt("lock.maxWaitersPerKey", LockConfig.DEFAULT_MAX_WAITERS_PER_KEY));
    }
}
