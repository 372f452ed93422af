package io.s3lockproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3lockproxy.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of scoped client credentials, upstream credential sources and TLS. */
class ScopedKeysAndTlsConfigTest {
    private static final String CREDENTIALS = """
            credentials:
              - accessKey: client-key
                secretKey: client-secret
            """;
    private static final String UPSTREAM = """
            upstream:
              endpoint: http://127.0.0.1:9000
              accessKey: up-key
              secretKey: up-secret
            """;

    @TempDir
    static Path certDir;
    static TestCertificates certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.generate(certDir);
    }

    private ProxyConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return ConfigLoader.load(file, env);
    }

    private void assertRejected(String yaml, String key, String messagePart) {
        assertThatThrownBy(() -> load(yaml, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining(messagePart);
    }

    @Test
    void credentialsTakeBucketsAndReadOnly() throws IOException {
        ProxyConfig c = load("""
                credentials:
                  - accessKey: a
                    secretKey: s
                  - accessKey: r
                    secretKey: s
                    readOnly: true
                  - accessKey: b
                    secretKey: s
                    buckets: [team-a, team-b, team-a]
                """ + UPSTREAM, Map.of());
        assertThat(c.credentials()).containsExactly(
                new ClientCredential("a", "s", List.of(), false),
                new ClientCredential("r", "s", List.of(), true),
                new ClientCredential("b", "s", List.of("team-a", "team-b"), false));
        assertThat(c.credentials().get(2).bucketLimited()).isTrue();
    }

    @Test
    void environmentSetsBucketsAsACommaListAndReadOnly() throws IOException {
        ProxyConfig c = load(CREDENTIALS + UPSTREAM, Map.of(
                "S3LP_CREDENTIALS_0_BUCKETS", "x, y", "S3LP_CREDENTIALS_0_READ_ONLY", "true",
                "S3LP_CREDENTIALS_1_ACCESSKEY", "k2", "S3LP_CREDENTIALS_1_SECRETKEY", "s2",
                "S3LP_CREDENTIALS_1_READONLY", "yes"));
        assertThat(c.credentials()).containsExactly(
                new ClientCredential("client-key", "client-secret", List.of("x", "y"), true),
                new ClientCredential("k2", "s2", List.of(), true));
    }

    @Test
    void bucketAdminIsAFlagOfLimitedKeys() throws IOException {
        ProxyConfig c = load("""
                credentials:
                  - accessKey: team
                    secretKey: s
                    buckets: [team-a]
                    bucketAdmin: true
                  - accessKey: auditor
                    secretKey: s
                    readOnly: true
                    bucketAdmin: yes
                  - accessKey: plain
                    secretKey: s
                    buckets: [team-a]
                """ + UPSTREAM, Map.of());
        assertThat(c.credentials()).containsExactly(
                new ClientCredential("team", "s", List.of("team-a"), false, true),
                new ClientCredential("auditor", "s", List.of(), true, true),
                new ClientCredential("plain", "s", List.of("team-a"), false, false));
        assertThat(c.credentials()).allMatch(ClientCredential::limited);
    }

    @Test
    void environmentSetsBucketAdmin() throws IOException {
        ProxyConfig c = load(CREDENTIALS + UPSTREAM, Map.of("S3LP_CREDENTIALS_0_BUCKETS", "x",
                "S3LP_CREDENTIALS_0_BUCKET_ADMIN", "true", "S3LP_CREDENTIALS_1_ACCESS_KEY", "k2",
                "S3LP_CREDENTIALS_1_SECRET_KEY", "s2", "S3LP_CREDENTIALS_1_READ_ONLY", "true",
                "S3LP_CREDENTIALS_1_BUCKETADMIN", "false"));
        assertThat(c.credentials()).containsExactly(
                new ClientCredential("client-key", "client-secret", List.of("x"), false, true),
                new ClientCredential("k2", "s2", List.of(), true, false));
        assertThat(ConfigKeys.keyForEnv("S3LP_CREDENTIALS_2_BUCKET_ADMIN")).contains("credentials[].bucketAdmin");
    }

    @Test
    void bucketAdminWithoutLimitsOrWithABadValueIsNamed() {
        String base = "credentials:\n  - accessKey: a\n    secretKey: s\n";
        assertRejected(base + "    bucketAdmin: true\n" + UPSTREAM, "credentials.0.bucketAdmin", "buckets or readOnly");
        assertRejected(base + "    buckets: [b]\n    bucketAdmin: always\n" + UPSTREAM, "credentials.0.bucketAdmin",
                "true or false");
    }

    @Test
    void badBucketListsAreNamed() {
        String base = "credentials:\n  - accessKey: a\n    secretKey: s\n";
        assertRejected(base + "    buckets: []\n" + UPSTREAM, "credentials.0.buckets", "at least one bucket");
        assertRejected(base + "    buckets: [\"team-*\"]\n" + UPSTREAM, "credentials.0.buckets", "team-*");
        assertRejected(base + "    buckets: {a: b}\n" + UPSTREAM, "credentials.0.buckets", "expected a list");
        assertRejected(base + "    readOnly: sometimes\n" + UPSTREAM, "credentials.0.readOnly", "true or false");
        assertRejected(base + "    buckets: [a, \"..\"]\n" + UPSTREAM, "credentials.0.buckets", "'..'");
    }

    @Test
    void envNamesResolveToTheirKeys() {
        assertThat(ConfigKeys.keyForEnv("S3LP_UPSTREAM_ENDPOINT")).contains("upstream.endpoint");
        assertThat(ConfigKeys.keyForEnv("S3LP_UPSTREAM_CA_FILE")).contains("upstream.caFile");
        assertThat(ConfigKeys.keyForEnv("S3LP_TLS_CERTFILE")).contains("tls.certFile");
        assertThat(ConfigKeys.keyForEnv("S3LP_CREDENTIALS_3_SECRET_KEY")).contains("credentials[].secretKey");
        assertThat(ConfigKeys.keyForEnv("S3LP_CREDENTIALS_0_BUCKETS")).contains("credentials[].buckets");
        assertThat(ConfigKeys.keyForEnv("S3LP_ADMIN")).contains("admin");
        assertThat(ConfigKeys.keyForEnv("S3LP_NOPE")).isEmpty();
        assertThat(ConfigKeys.keyForEnv("S3LP_CREDENTIALS_0_ROLE")).isEmpty();
        assertThat(ConfigKeys.keyForEnv("UPSTREAM_ENDPOINT")).isEmpty();
    }

    @Test
    void defaultChainNeedsNoKeysAndRefusesThem() throws IOException {
        ProxyConfig c = load(CREDENTIALS + "upstream:\n  endpoint: https://s3.eu-west-1.amazonaws.com\n"
                + "  credentials: default-chain\n", Map.of());
        assertThat(c.upstream().credentials()).isEqualTo(UpstreamCredentialsSource.DEFAULT_CHAIN);
        assertThat(c.upstream().accessKey()).isNull();
        assertRejected(CREDENTIALS + UPSTREAM + "  credentials: default-chain\n", "upstream.accessKey", "default-chain");
        assertRejected(CREDENTIALS + UPSTREAM + "  credentials: instance\n", "upstream.credentials", "static");
        assertThat(load(CREDENTIALS + UPSTREAM + "  credentials: static\n", Map.of()).upstream().credentials())
                .isEqualTo(UpstreamCredentialsSource.STATIC);
        assertThat(load(CREDENTIALS + UPSTREAM, Map.of()).upstream().credentials()).isEqualTo(UpstreamCredentialsSource.STATIC);
    }

    @Test
    void staticStillRequiresBothKeys() {
        assertRejected(CREDENTIALS + "upstream:\n  endpoint: http://h:1\n  credentials: static\n  secretKey: x\n",
                "upstream.accessKey", "required");
    }

    @Test
    void caFileIsCheckedAndOnlyForHttps() throws IOException {
        String https = CREDENTIALS + UPSTREAM.replace("http://", "https://");
        ProxyConfig c = load(https + "  caFile: " + certs.caCert() + "\n", Map.of());
        assertThat(c.upstream().caFile()).isEqualTo(certs.caCert());
        assertRejected(https + "  caFile: " + dir.resolve("absent.pem") + "\n", "upstream.caFile", "no such file");
        assertRejected(https + "  caFile: " + certs.serverKey() + "\n", "upstream.caFile", "certificate");
        assertRejected(CREDENTIALS + UPSTREAM + "  caFile: " + certs.caCert() + "\n", "upstream.caFile", "https");
    }

    @Test
    void tlsFilesAreLoadedAndCheckedAtStartUp() throws IOException, InterruptedException {
        String base = CREDENTIALS + UPSTREAM;
        ProxyConfig c = load(base + "tls:\n  certFile: " + certs.serverCert() + "\n  keyFile: " + certs.serverKey() + "\n",
                Map.of());
        assertThat(c.tls()).isEqualTo(new TlsConfig(certs.serverCert(), certs.serverKey()));
        assertThat(c.tls().enabled()).isTrue();
        assertThat(load(base, Map.of()).tls()).isEqualTo(TlsConfig.NONE);
        ProxyConfig fromEnv = load(base, Map.of("S3LP_TLS_CERT_FILE", certs.serverCert().toString(),
                "S3LP_TLS_KEY_FILE", certs.serverKey().toString()));
        assertThat(fromEnv.tls().enabled()).isTrue();

        assertRejected(base + "tls:\n  certFile: " + certs.serverCert() + "\n", "tls.keyFile", "required");
        assertRejected(base + "tls:\n  keyFile: " + certs.serverKey() + "\n", "tls.certFile", "required");
        assertRejected(base + "tls:\n  certFile: /nonexistent/cert.pem\n  keyFile: " + certs.serverKey() + "\n",
                "tls.certFile", "no such file");
        assertRejected(base + "tls:\n  certFile: " + certs.serverCert() + "\n  keyFile: /nonexistent/key.pem\n",
                "tls.keyFile", "no such file");
        assertRejected(base + "tls:\n  certFile: " + certs.serverKey() + "\n  keyFile: " + certs.serverKey() + "\n",
                "tls.certFile", "certificate");
        assertRejected(base + "tls:\n  certFile: " + certs.serverCert() + "\n  keyFile: " + certs.serverCert() + "\n",
                "tls.keyFile", "BEGIN PRIVATE KEY");
        // the CA's key does not belong to the server certificate
        assertRejected(base + "tls:\n  certFile: " + certs.serverCert() + "\n  keyFile: " + certDir.resolve("ca.key") + "\n",
                "tls.keyFile", "not the private key");
        Path pkcs1 = dir.resolve("pkcs1.key");
        TestCertificates.openssl(dir, "rsa", "-in", certs.serverKey().toString(), "-traditional", "-out", pkcs1.toString());
        assertRejected(base + "tls:\n  certFile: " + certs.serverCert() + "\n  keyFile: " + pkcs1 + "\n",
                "tls.keyFile", "PKCS#1");
    }
}
