package io.s3lockproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    private static final String MINIMAL = """
            credentials:
              - accessKey: client-key
                secretKey: client-secret
            upstream:
              endpoint: http://127.0.0.1:9000
              accessKey: up-key
              secretKey: up-secret
            """;

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    private ProxyConfig load(String yaml) throws IOException {
        return ConfigLoader.load(write(yaml), Map.of());
    }

    private ProxyConfig load(String yaml, Map<String, String> env) throws IOException {
        return ConfigLoader.load(write(yaml), env);
    }

    @Test
    void fullFileLoadsIntoTheExpectedRecords() throws IOException {
        ProxyConfig c = load("""
                listen: 0.0.0.0:9090
                admin: "[::1]:9091"
                region: eu-west-1
                virtualHostDomain: s3.example
                credentials:
                  - accessKey: a1
                    secretKey: s1
                  - accessKey: a2
                    secretKey: s2
                auth:
                  maxClockSkewMs: 1000
                  acceptSessionTokens: true
                upstream:
                  endpoint: https://s3.example.com:8443
                  region: eu-west-2
                  accessKey: up-key
                  secretKey: up-secret
                  pathStyle: false
                  payloadMode: unsigned
                  connectTimeoutMs: 1500
                  readTimeoutMs: 2500
                lock:
                  redis: redis://redis:6379
                  leaseMs: 5000
                  waitMs: 700
                  mode: fenced
                  onRedisDown: conditional
                """);
        assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 9090));
        assertThat(c.admin()).isEqualTo(new HostPort("::1", 9091));
        assertThat(c.region()).isEqualTo("eu-west-1");
        assertThat(c.virtualHostDomain()).isEqualTo("s3.example");
        assertThat(c.credentials()).containsExactly(new ClientCredential("a1", "s1"), new ClientCredential("a2", "s2"));
        assertThat(c.auth()).isEqualTo(new AuthConfig(Duration.ofSeconds(1), true));
        assertThat(c.upstream()).isEqualTo(new UpstreamConfig(URI.create("https://s3.example.com:8443"), "eu-west-2",
                "up-key", "up-secret", false, PayloadForwarding.UNSIGNED, Duration.ofMillis(1500),
                Duration.ofMillis(2500)));
        assertThat(c.upstream().tls()).isTrue();
        assertThat(c.upstream().port()).isEqualTo(8443);
        assertThat(c.lock()).isEqualTo(new LockConfig(URI.create("redis://redis:6379"), Duration.ofSeconds(5),
                Duration.ofMillis(700), LockConfig.Mode.FENCED, LockConfig.OnRedisDown.CONDITIONAL));
    }

    @Test
    void minimalFileGetsTheDocumentedDefaults() throws IOException {
        ProxyConfig c = load(MINIMAL);
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.admin()).isEqualTo(new HostPort("127.0.0.1", 8081));
        assertThat(c.region()).isEqualTo("us-east-1");
        assertThat(c.virtualHostDomain()).isNull();
        assertThat(c.auth()).isEqualTo(new AuthConfig(Duration.ofMinutes(15), false));
        UpstreamConfig u = c.upstream();
        assertThat(u.region()).isEqualTo("us-east-1");
        assertThat(u.pathStyle()).isTrue();
        assertThat(u.payload()).isEqualTo(PayloadForwarding.AUTO);
        assertThat(u.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(u.readTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(u.tls()).isFalse();
        assertThat(u.port()).isEqualTo(9000);
        assertThat(c.lock()).isEqualTo(new LockConfig(null, Duration.ofSeconds(30), Duration.ofSeconds(10),
                LockConfig.Mode.FENCED, LockConfig.OnRedisDown.FAIL));
        assertThat(c.lock().maxWaitersPerKey()).isEqualTo(256);
        assertThat(u.maxConnections()).isEqualTo(1024);
        assertThat(c.client()).isEqualTo(new ClientLimits(Duration.ofSeconds(20), Duration.ofSeconds(75),
                Duration.ofSeconds(20), 4096));
    }

    @Test
    void clientTimeoutsAndLimitsAreReadFromTheFileAndTheEnvironment() throws IOException {
        ProxyConfig c = load(MINIMAL + "  maxConnections: 7\nclient:\n  headerTimeoutMs: 1000\n  idleTimeoutMs: 2000\n"
                + "lock:\n  maxWaitersPerKey: 3\n", Map.of("S3LP_CLIENT_BODY_IDLE_TIMEOUT_MS", "3000",
                "S3LP_CLIENT_MAXCONNECTIONS", "9"));
        assertThat(c.client()).isEqualTo(new ClientLimits(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(3), 9));
        assertThat(c.lock().maxWaitersPerKey()).isEqualTo(3);
        assertThat(c.upstream().maxConnections()).isEqualTo(7);
    }

    @Test
    void upstreamPortDefaultsByScheme() throws IOException {
        assertThat(load(MINIMAL.replace("http://127.0.0.1:9000", "http://up")).upstream().port()).isEqualTo(80);
        assertThat(load(MINIMAL.replace("http://127.0.0.1:9000", "https://up")).upstream().port()).isEqualTo(443);
    }

    @Test
    void noFileAtAllLoadsFromEnvironmentOnly() {
        ProxyConfig c = ConfigLoader.load(null, Map.of(
                "S3LP_CREDENTIALS_0_ACCESSKEY", "a", "S3LP_CREDENTIALS_0_SECRETKEY", "s",
                "S3LP_UPSTREAM_ENDPOINT", "http://up:1", "S3LP_UPSTREAM_ACCESSKEY", "u", "S3LP_UPSTREAM_SECRETKEY", "v"));
        assertThat(c.credentials()).containsExactly(new ClientCredential("a", "s"));
        assertThat(c.upstream().endpoint()).isEqualTo(URI.create("http://up:1"));
    }

    @Test
    void envOverridesTheKeyWrittenTogether() throws IOException {
        assertThat(load(MINIMAL, Map.of("S3LP_UPSTREAM_ACCESSKEY", "env-key")).upstream().accessKey())
                .isEqualTo("env-key");
    }

    @Test
    void envOverridesTheKeyWrittenSnakeCase() throws IOException {
        ProxyConfig c = load(MINIMAL, Map.of("S3LP_UPSTREAM_ACCESS_KEY", "env-key",
                "S3LP_UPSTREAM_READ_TIMEOUT_MS", "1234", "S3LP_AUTH_MAX_CLOCK_SKEW_MS", "10"));
        assertThat(c.upstream().accessKey()).isEqualTo("env-key");
        assertThat(c.upstream().readTimeout()).isEqualTo(Duration.ofMillis(1234));
        assertThat(c.auth().maxClockSkew()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void envOverridesAListEntryByIndexAndKeepsTheOtherField() throws IOException {
        ProxyConfig c = load(MINIMAL, Map.of("S3LP_CREDENTIALS_0_SECRETKEY", "env-secret"));
        assertThat(c.credentials()).containsExactly(new ClientCredential("client-key", "env-secret"));
        ProxyConfig snake = load(MINIMAL, Map.of("S3LP_CREDENTIALS_0_SECRET_KEY", "env-secret"));
        assertThat(snake.credentials()).containsExactly(new ClientCredential("client-key", "env-secret"));
    }

    @Test
    void envAddsAListEntryAfterTheFilesEntries() throws IOException {
        ProxyConfig c = load(MINIMAL, Map.of("S3LP_CREDENTIALS_1_ACCESSKEY", "k2", "S3LP_CREDENTIALS_1_SECRETKEY", "s2"));
        assertThat(c.credentials()).extracting(ClientCredential::accessKey).containsExactly("client-key", "k2");
    }

    @Test
    void envCreatesASectionTheFileLacks() throws IOException {
        ProxyConfig c = load(MINIMAL, Map.of("S3LP_LOCK_REDIS", "redis://r:6380", "S3LP_LOCK_ON_REDIS_DOWN", "conditional"));
        assertThat(c.lock().redis()).isEqualTo(URI.create("redis://r:6380"));
        assertThat(c.lock().onRedisDown()).isEqualTo(LockConfig.OnRedisDown.CONDITIONAL);
    }

    @Test
    void aRedisClusterIsNamedByItsSeedNodes() throws IOException {
        ProxyConfig c = load(MINIMAL, Map.of("S3LP_LOCK_REDIS", "redis-cluster://u:p@r1:7000,r2:7001"));
        assertThat(c.lock().redis()).isEqualTo(URI.create("redis-cluster://u:p@r1:7000,r2:7001"));
    }

    @Test
    void variablesWithoutThePrefixAreIgnored() throws IOException {
        assertThat(load(MINIMAL, Map.of("PATH", "/bin", "UPSTREAM_ACCESSKEY", "x")).upstream().accessKey())
                .isEqualTo("up-key");
    }

    @Test
    void unknownVariableWithThePrefixIsNamed() {
        assertThatThrownBy(() -> load(MINIMAL, Map.of("S3LP_UPSTREAM_ENDPIONT", "http://x")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("S3LP_UPSTREAM_ENDPIONT"))
                .hasMessageContaining("S3LP_UPSTREAM_ENDPIONT");
        assertThatThrownBy(() -> load(MINIMAL, Map.of("S3LP_CREDENTIALS_0_PASSWORD", "x")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("S3LP_CREDENTIALS_0_PASSWORD"));
    }

    static Stream<Arguments> unknownKeys() {
        return Stream.of(
                Arguments.of("colour: blue\n", "colour"),
                Arguments.of("upstream:\n  endpoint: http://h:1\n  accessKey: a\n  secretKey: b\n  pathstyle: true\n",
                        "upstream.pathstyle"),
                Arguments.of("lock:\n  leaseMs: 1000\n  retries: 3\n", "lock.retries"),
                Arguments.of("lock:\n  redis:\n    host: r\n", "lock.redis"),
                Arguments.of("metrics:\n  enabled: true\n", "metrics"));
    }

    @ParameterizedTest
    @MethodSource("unknownKeys")
    void unknownKeyInTheFileIsNamedDotted(String extra, String key) throws IOException {
        String yaml = extra.startsWith("upstream:") ? MINIMAL.substring(0, MINIMAL.indexOf("upstream:")) + extra
                : MINIMAL + extra;
        Path file = write(yaml);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining("'" + key + "'");
    }

    @Test
    void unknownKeyInACredentialEntryIsNamedWithItsIndex() throws IOException {
        String yaml = MINIMAL.replace("    secretKey: client-secret", "    secretKey: client-secret\n    role: admin");
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("credentials.0.role"));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(MINIMAL.replace("  endpoint: http://127.0.0.1:9000\n", ""), "upstream.endpoint"),
                Arguments.of(MINIMAL.replace("  accessKey: up-key\n", ""), "upstream.accessKey"),
                Arguments.of(MINIMAL.replace("  secretKey: up-secret\n", ""), "upstream.secretKey"),
                Arguments.of(MINIMAL.replace("    secretKey: client-secret\n", ""), "credentials.0.secretKey"),
                Arguments.of(MINIMAL.replace("  - accessKey: client-key\n    secretKey: client-secret\n", "  []\n")
                        .replace("credentials:\n  []", "credentials: []"), "credentials"),
                Arguments.of(MINIMAL + "listen: 127.0.0.1:99999\n", "listen"),
                Arguments.of(MINIMAL + "listen: 127.0.0.1:http\n", "listen"),
                Arguments.of(MINIMAL + "admin: 8081\n", "admin"),
                Arguments.of(MINIMAL + "listen: 127.0.0.1:8080\nadmin: 127.0.0.1:8080\n", "admin"),
                Arguments.of(MINIMAL.replace("http://127.0.0.1:9000", "\"http://exa mple:9000\""), "upstream.endpoint"),
                Arguments.of(MINIMAL.replace("http://127.0.0.1:9000", "ftp://h:21"), "upstream.endpoint"),
                Arguments.of(MINIMAL.replace("http://127.0.0.1:9000", "http://h:1/base"), "upstream.endpoint"),
                Arguments.of(MINIMAL + "  payloadMode: signed\n", "upstream.payloadMode"),
                Arguments.of(MINIMAL + "  pathStyle: maybe\n", "upstream.pathStyle"),
                Arguments.of(MINIMAL + "  readTimeoutMs: -1\n", "upstream.readTimeoutMs"),
                Arguments.of(MINIMAL + "  connectTimeoutMs: 5s\n", "upstream.connectTimeoutMs"),
                Arguments.of(MINIMAL + "auth:\n  maxClockSkewMs: -5\n", "auth.maxClockSkewMs"),
                Arguments.of(MINIMAL + "lock:\n  waitMs: -1\n", "lock.waitMs"),
                Arguments.of(MINIMAL + "lock:\n  leaseMs: 10\n", "lock.leaseMs"),
                Arguments.of(MINIMAL + "lock:\n  mode: optimistic\n", "lock.mode"),
                Arguments.of(MINIMAL + "lock:\n  onRedisDown: ignore\n", "lock.onRedisDown"),
                Arguments.of(MINIMAL + "lock:\n  redis: http://redis:6379\n", "lock.redis"),
                Arguments.of(MINIMAL + "lock:\n  redis: \"redis://re dis\"\n", "lock.redis"),
                Arguments.of(MINIMAL + "region: [a, b]\n", "region"),
                Arguments.of(MINIMAL + "client:\n  headerTimeoutMs: 0\n", "client.headerTimeoutMs"),
                Arguments.of(MINIMAL + "client:\n  idleTimeoutMs: soon\n", "client.idleTimeoutMs"),
                Arguments.of(MINIMAL + "client:\n  bodyIdleTimeoutMs: -1\n", "client.bodyIdleTimeoutMs"),
                Arguments.of(MINIMAL + "client:\n  maxConnections: 0\n", "client.maxConnections"),
                Arguments.of(MINIMAL + "lock:\n  maxWaitersPerKey: many\n", "lock.maxWaitersPerKey"),
                Arguments.of(MINIMAL + "  maxConnections: 1.5\n", "upstream.maxConnections"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badOrMissingValueNamesItsKey(String yaml, String key) throws IOException {
        Path file = write(yaml);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining("'" + key + "'");
    }

    @Test
    void badValueFromTheEnvironmentNamesTheDottedKey() {
        assertThatThrownBy(() -> load(MINIMAL, Map.of("S3LP_UPSTREAM_PAYLOAD_MODE", "bogus")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("upstream.payloadMode"));
    }

    @Test
    void notAMappingOrNotYamlIsReported() throws IOException {
        Path list = write("- a\n- b\n");
        assertThatThrownBy(() -> ConfigLoader.load(list, Map.of())).isInstanceOf(ConfigException.class);
        Path broken = write("upstream: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("--config"));
        Path missing = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("--config"));
    }

    @Test
    void secretsNeverAppearInToString() throws IOException {
        ProxyConfig c = load("""
                credentials:
                  - accessKey: client-key
                    secretKey: CLIENT-SECRET-VALUE
                upstream:
                  endpoint: http://127.0.0.1:9000
                  accessKey: up-key
                  secretKey: UPSTREAM-SECRET-VALUE
                lock:
                  redis: redis://user:REDIS-PASSWORD@redis:6379
                """);
        List<Object> records = new ArrayList<>(List.of(c, c.upstream(), c.lock(), c.auth(), c.listen()));
        records.addAll(c.credentials());
        for (Object r : records) {
            assertThat(r.toString()).doesNotContain("CLIENT-SECRET-VALUE", "UPSTREAM-SECRET-VALUE", "REDIS-PASSWORD");
        }
        assertThat(c.toString()).contains("client-key", "up-key", "redis:6379");
        assertThat(c.lock().redis().getUserInfo()).isEqualTo("user:REDIS-PASSWORD");
    }

    @Test
    void everyExampleFileInTheRepositoryLoads() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("../config"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            ProxyConfig c = ConfigLoader.load(f, Map.of());
            assertThat(c.credentials()).as(f.toString()).isNotEmpty();
        }
    }

    @Test
    void sigV2AndAnonymousAccessAreConfigurable() throws IOException {
        ProxyConfig defaults = load(MINIMAL);
        assertThat(defaults.auth().sigV2()).isTrue();
        assertThat(defaults.auth().anonymous()).isEqualTo(AnonymousAccess.FORWARD);

        ProxyConfig c = load(MINIMAL + "auth:\n  sigV2: false\n  anonymous: deny\n");
        assertThat(c.auth()).isEqualTo(new AuthConfig(Duration.ofMinutes(15), false, false, AnonymousAccess.DENY));
        ProxyConfig env = load(MINIMAL, Map.of("S3LP_AUTH_SIGV2", "false", "S3LP_AUTH_ANONYMOUS", "deny"));
        assertThat(env.auth().sigV2()).isFalse();
        assertThat(env.auth().anonymous()).isEqualTo(AnonymousAccess.DENY);
        assertThat(load(MINIMAL, Map.of("S3LP_AUTH_ANONYMOUS", "forward")).auth().anonymous())
                .isEqualTo(AnonymousAccess.FORWARD);

        assertThatThrownBy(() -> load(MINIMAL + "auth:\n  anonymous: allow\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("auth.anonymous"))
                .hasMessageContaining("forward").hasMessageContaining("deny");
        assertThatThrownBy(() -> load(MINIMAL + "auth:\n  sigV2: maybe\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("auth.sigV2"));
    }

    @Test
    void everyKeyIsInTheReadmeConfigurationReference() throws IOException {
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("## Configuration reference");
        assertThat(start).isNotNegative();
        String section = readme.substring(start);
        int next = section.indexOf("\n## ", 3);
        section = next < 0 ? section : section.substring(0, next);
        Map<String, Boolean> documented = new HashMap<>();
        for (String line : section.split("\n")) {
            if (line.startsWith("| `")) {
                documented.put(line.substring(3, line.indexOf('`', 3)), true);
            }
        }
        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(ConfigKeys.ALL);
    }
}
