package io.s3lockproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * S3Proxy (filesystem storage in a temp dir) as a child process, started from the
 * jar-with-dependencies the pom copies to {@code target/s3proxy/s3proxy.jar}
 * (system property {@code s3proxy.jar}).
 */
public final class S3ProxyBackend implements S3Backend {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** The S3Proxy releases the pom copies to {@code target/s3proxy/}. */
    public enum Release {
        /** Checks If-Match / If-None-Match on PUT and CompleteMultipartUpload (one request at a time, not atomically). */
        V4_1_0("s3proxy.jar", "s3proxy"),
        /**
         * Ignores If-Match on PUT: a real backend without conditional writes. Predates the 2025
         * checksum-trailer uploads: talk to it with hex payload hashes ({@link ClientFlavour#WHEN_REQUIRED}).
         */
        V2_6_0("s3proxy26.jar", "s3proxy-2.6.0");

        private final String jarProperty;
        private final String kind;

        Release(String jarProperty, String kind) {
            this.jarProperty = jarProperty;
            this.kind = kind;
        }
    }

    private final Release release;
    private final boolean https;
    private final Path workDir;
    private final Path log;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Process process;

    private S3ProxyBackend(Release release, boolean https, Path workDir, Path log, int port, String accessKey,
                           String secretKey, Process process) {
        this.release = release;
        this.https = https;
        this.workDir = workDir;
        this.log = log;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.process = process;
    }

    public static S3ProxyBackend start() {
        return start(Release.V4_1_0);
    }

    public static S3ProxyBackend start(Release release) {
        return launch(release, null, null);
    }

    /**
     * Starts S3Proxy 4.1.0 on an https-only endpoint ({@code s3proxy.secure-endpoint}) serving the
     * certificate and key in the PKCS#12 {@code keystore}.
     */
    public static S3ProxyBackend startHttps(Path keystore, String keystorePassword) {
        return launch(Release.V4_1_0, keystore, keystorePassword);
    }

    private static S3ProxyBackend launch(Release release, Path keystore, String keystorePassword) {
        Path jar = ChildProcesses.requiredFile(release.jarProperty);
        int port = Ports.freePort();
        boolean https = keystore != null;
        List<String> endpoint = https
                ? List.of("s3proxy.secure-endpoint=https://127.0.0.1:" + port, "s3proxy.keystore-path=" + keystore,
                        "s3proxy.keystore-password=" + keystorePassword)
                : List.of("s3proxy.endpoint=http://127.0.0.1:" + port);
        String accessKey = "backend-" + UUID.randomUUID().toString().substring(0, 8);
        String secretKey = UUID.randomUUID().toString().replace("-", "");
        Path workDir;
        Path log = ChildProcesses.logDirectory().resolve(release.kind + (https ? "-tls-" : "-") + port + ".log");
        try {
            workDir = Files.createTempDirectory("s3proxy-it-");
            Path data = Files.createDirectories(workDir.resolve("data"));
            Path properties = workDir.resolve("s3proxy.properties");
            List<String> lines = new ArrayList<>(endpoint);
            lines.addAll(List.of(
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey,
                    "s3proxy.credential=" + secretKey,
                    // large enough for the 20 MiB single PUTs the tests send
                    "s3proxy.v4-max-non-chunked-request-size=" + (64L << 20),
                    "jclouds.provider=filesystem",
                    "jclouds.identity=unused",
                    "jclouds.credential=unused",
                    "jclouds.filesystem.basedir=" + data,
                    ""));
            Files.writeString(properties, String.join("\n", lines), StandardCharsets.UTF_8);
            Path logback = workDir.resolve("logback.xml");
            Files.writeString(logback, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(List.of(
                    ChildProcesses.javaExecutable().toString(),
                    "-Xmx512m",
                    "-Dlogback.configurationFile=" + logback,
                    "-DLOG_LEVEL=warn",
                    "-jar", jar.toString(),
                    "--properties", properties.toString()))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Process process = builder.start();
            if (!Ports.awaitListening("127.0.0.1", port, START_TIMEOUT, process::isAlive)) {
                ChildProcesses.stop(process, 5);
                throw new IllegalStateException("S3Proxy did not listen on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT.toSeconds() + " s (alive=" + process.isAlive() + "); log " + log + ":\n"
                        + ChildProcesses.tail(log, 40));
            }
            return new S3ProxyBackend(release, https, workDir, log, port, accessKey, secretKey, process);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start S3Proxy", e);
        }
    }

    @Override
    public URI endpoint() {
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + port);
    }

    @Override
    public String accessKey() {
        return accessKey;
    }

    @Override
    public String secretKey() {
        return secretKey;
    }

    @Override
    public String region() {
        return "us-east-1";
    }

    @Override
    public String kind() {
        return release.kind;
    }

    public Release release() {
        return release;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, 5);
        ChildProcesses.deleteRecursively(workDir);
    }

    @Override
    public String toString() {
        return release.kind + " at " + endpoint() + " (pid " + process.pid() + ")";
    }
}
