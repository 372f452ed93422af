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
                t.bool("auth.acceptSessionTokens", false));
        UpstreamConfig upstream = upstream(t);
        LockConfig lock = lock(t);
        LogConfig log = new LogConfig(t.bool("log.access", true),
                t.enumValue("log.format", LogConfig.Format.class, LogConfig.Format.TEXT));
        Duration shutdownGrace = t.duration("shutdown.graceMs", Duration.ofSeconds(30));
        t.rejectUnknown();
        if (listen.equals(admin) && listen.port() != 0) {
            throw new ConfigException("admin", "must differ from listen (" + listen + ")");
        }
        return new ProxyConfig(listen, admin, region, vhost, credentials, auth, upstream, lock, log, shutdownGrace);
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
            e.rejectUnknown();
            if (out.stream().anyMatch(c -> c.accessKey().equals(ak))) {
                throw new ConfigException("credentials." + i + ".accessKey", "duplicate access key " + ak);
            }
            out.add(new ClientCredential(ak, sk));
        }
        return List.copyOf(out);
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
        return new UpstreamConfig(
                endpoint,
                t.string("upstream.region", "us-east-1"),
                t.requiredString("upstream.accessKey"),
                t.requiredString("upstream.secretKey"),
                t.bool("upstream.pathStyle", true),
                t.enumValue("upstream.payloadMode", PayloadForwarding.class, PayloadForwarding.AUTO),
                t.duration("upstream.connectTimeoutMs", Duration.ofSeconds(5)),
                t.duration("upstream.readTimeoutMs", Duration.ofSeconds(60)));
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
            if (!Arrays.asList("redis", "rediss", "redis-sentinel").contains(String.valueOf(redisUri.getScheme()).toLowerCase(Locale.ROOT))) {
                throw new ConfigException("lock.redis",
                        "expected redis://host:port, rediss://host:port or redis-sentinel://host:port[,host:port]/masterName");
            }
        }
        Duration lease = t.duration("lock.leaseMs", Duration.ofSeconds(30));
        Duration wait = t.duration("lock.waitMs", Duration.ofSeconds(10));
        if (lease.toMillis() < 100) {
            throw new ConfigException("lock.leaseMs", "must be at least 100 ms");
        }
        return new LockConfig(redisUri, lease, wait,
                t.enumValue("lock.mode", LockConfig.Mode.class, LockConfig.Mode.SERIALIZE),
                t.enumValue("lock.onRedisDown", LockConfig.OnRedisDown.class, LockConfig.OnRedisDown.FAIL));
    }
}
