package io.s3lockproxy.it;

import static io.s3lockproxy.it.S3ErrorAssert.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3lockproxy.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.UUID;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 4, item 4: the AWS SDK talks HTTPS to the proxy ({@code tls.certFile}/{@code tls.keyFile}),
 * and the proxy talks HTTPS to an S3Proxy upstream ({@code s3proxy.secure-endpoint}) that it trusts
 * through {@code upstream.caFile}; certificates come from a CA the test generates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
    private Path workDir;
    private TestCertificates certs;
    private S3ProxyBackend s3proxy;
    private ProxyProcess proxy;
    private S3Client client;

    @BeforeAll
    void start() throws Exception {
        workDir = Files.createTempDirectory("tls-it-");
        certs = TestCertificates.generate(workDir);
        s3proxy = S3ProxyBackend.startHttps(keystore(), "changeit");
        proxy = proxyBuilder("TlsIT")
                .upstreamYaml("caFile: " + quoted(certs.caCert()))
                .extraYaml("tls:\n  certFile: " + quoted(certs.serverCert()) + "\n  keyFile: " + quoted(certs.serverKey()) + "\n")
                .start();
        client = httpsClient(URI.create("https://localhost:" + proxy.port()), proxy.accessKey(), proxy.secretKey());
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (s3proxy != null) {
            s3proxy.close();
        }
        if (workDir != null) {
            ChildProcesses.deleteRecursively(workDir);
        }
    }

    private ProxyProcess.Builder proxyBuilder(String name) {
        return ProxyProcess.builder()
                .name(name)
                .credential("tls-client", "tls-client-secret-" + Long.toHexString(System.nanoTime()))
                .upstreamEndpoint("https://localhost:" + s3proxy.endpoint().getPort())
                .upstreamCredentials(s3proxy.accessKey(), s3proxy.secretKey());
    }

    @Test
    void sdkPutsAndGetsThroughHttpsProxyToHttpsUpstream() throws Exception {
        String bucket = "tls-" + UUID.randomUUID().toString().substring(0, 8);
        client.createBucket(b -> b.bucket(bucket));
        byte[] big = new byte[3 << 20];
        new java.util.Random(4).nextBytes(big);
        client.putObject(b -> b.bucket(bucket).key("small.txt"), RequestBody.fromString("over TLS twice"));
        client.putObject(b -> b.bucket(bucket).key("big.bin"), RequestBody.fromBytes(big));

        assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key("small.txt")).asUtf8String()).isEqualTo("over TLS twice");
        byte[] back = client.getObjectAsBytes(b -> b.bucket(bucket).key("big.bin")).asByteArray();
        assertThat(MessageDigest.getInstance("SHA-256").digest(back))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(big));
        assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents()).hasSize(2);
        // Many requests over the pooled upstream TLS connections (each handshake done with autoRead off).
        for (int i = 0; i < 20; i++) {
            String key = "k" + i;
            client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
            assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String()).isEqualTo(key);
        }
    }

    @Test
    void plainHttpToTheHttpsListenerGetsNoS3Answer() throws Exception {
        try (S3Client plain = Clients.s3(URI.create("http://127.0.0.1:" + proxy.port()), proxy.accessKey(),
                proxy.secretKey(), ClientFlavour.DEFAULTS)) {
            assertThatThrownBy(() -> plain.listBuckets()).isInstanceOf(software.amazon.awssdk.core.exception.SdkClientException.class);
        }
    }

    @Test
    void upstreamCertificateNotTrustedWithoutTheCaFileIs502() {
        try (ProxyProcess untrusting = proxyBuilder("TlsIT-no-ca").start();
             S3Client c = Clients.s3(untrusting.endpoint(), untrusting.accessKey(), untrusting.secretKey(),
                     ClientFlavour.DEFAULTS)) {
            assertThatThrownBy(() -> c.listBuckets()).satisfies(e -> assertError(e, 502, "BadGateway"));
        }
    }

    @Test
    void badCertificatePathStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> proxyBuilder("TlsIT-bad-cert")
                .extraYaml("tls:\n  certFile: " + quoted(workDir.resolve("missing.pem")) + "\n  keyFile: "
                        + quoted(certs.serverKey()) + "\n")
                .start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code 2")
                .hasMessageContaining("config key 'tls.certFile': no such file");
        assertThatThrownBy(() -> proxyBuilder("TlsIT-bad-key")
                .extraYaml("tls:\n  certFile: " + quoted(certs.serverCert()) + "\n  keyFile: "
                        + quoted(certs.caCert()) + "\n")
                .start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("config key 'tls.keyFile'");
    }

    private static String quoted(Path p) {
        return '"' + p.toString() + '"';
    }

    private S3Client httpsClient(URI endpoint, String accessKey, String secretKey) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.caCert())) {
            trust.setCertificateEntry("test-ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return S3Client.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(Clients.credentials(accessKey, secretKey))
                .httpClientBuilder(ApacheHttpClient.builder().tlsTrustManagersProvider(tmf::getTrustManagers))
                .build();
    }

    /** Returns a PKCS#12 keystore with the generated server certificate and key, for S3Proxy's https endpoint. */
    private Path keystore() throws IOException, InterruptedException {
        Path keystore = workDir.resolve("s3proxy.p12");
        TestCertificates.openssl(workDir, "pkcs12", "-export", "-in", certs.serverCert().toString(),
                "-inkey", certs.serverKey().toString(), "-certfile", certs.caCert().toString(),
                "-name", "s3proxy", "-out", keystore.toString(), "-passout", "pass:changeit");
        return keystore;
    }
}
