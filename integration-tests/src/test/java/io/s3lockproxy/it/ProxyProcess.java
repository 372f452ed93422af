package io.s3lockproxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The proxy under test as a child process: {@code java -jar ${proxy.jar} --config FILE}, with
 * its output kept in {@code target/proxy-logs/} for later greps.
 */
public final class ProxyProcess implements AutoCloseable {
    private static final HttpClient ADMIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final List<String> command;
    private volatile Process process;
    private final Path configFile;
    private final Path log;
    private final int port;
    private final int adminPort;
    private final Map<String, String> credentials;
    private volatile boolean paused;

    private ProxyProcess(List<String> command, Process process, Path configFile, Path log, int port, int adminPort,
                         Map<String, String> credentials) {
        this.command = command;
        this.process = process;
        this.configFile = configFile;
        this.log = log;
        this.port = port;
        this.adminPort = adminPort;
        this.credentials = credentials;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A proxy in front of {@code backend} accepting one generated client key pair. */
    public static Builder forBackend(S3Backend backend) {
        return builder()
                .credential("proxy-client", "proxy-client-secret-" + Long.toHexString(System.nanoTime()))
                .upstreamEndpoint(backend.endpoint().toString())
                .upstreamRegion(backend.region())
                .upstreamCredentials(backend.accessKey(), backend.secretKey());
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return adminPort;
    }

    /** The admin endpoint's {@code /locks} answer: the keys held and each probed bucket's protections, as JSON. */
    public String locksJson(Duration timeout) throws IOException, InterruptedException {
        return ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/locks")).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The first configured client access key. */
    public String accessKey() {
        return credentials.keySet().iterator().next();
    }

    public String secretKey() {
        return credentials.get(accessKey());
    }

    public Path log() {
        return log;
    }

    public Path configFile() {
        return configFile;
    }

    public String logTail(int lines) {
        return ChildProcesses.tail(log, lines);
    }

    /** Freezes the process ({@code kill -STOP}), as a long GC pause or a stalled VM would. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** Lets a {@link #pause() paused} process run again ({@code kill -CONT}). */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    /** Kills the process at once ({@code SIGKILL}), as a crash would, and waits for it to be gone. */
    public void kill9() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("proxy pid " + process.pid() + " still alive 10 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the process again after {@link #kill9()}, as a supervisor would: the same command,
     * configuration file and ports; its output is appended to the same log.
     */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("proxy pid " + process.pid() + " is still running");
        }
        try {
            process = launch(command, ProcessBuilder.Redirect.appendTo(log.toFile()), port, log);
            paused = false;
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart the proxy", e);
        }
    }

    /** Starts {@code command} and waits until it listens on {@code port}; stops it and fails if it does not. */
    private static Process launch(List<String> command, ProcessBuilder.Redirect output, int port, Path log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output);
        // the file is authoritative: drop inherited S3LP_ overrides
        pb.environment().keySet().removeIf(k -> k.startsWith("S3LP_"));
        Process process = pb.start();
        if (!Ports.awaitListening("127.0.0.1", port, START_TIMEOUT, process::isAlive)) {
            boolean alive = process.isAlive();
            ChildProcesses.stop(process, 5);
            throw new IllegalStateException("proxy " + (alive ? "did not listen on 127.0.0.1:" + port
                    + " within " + START_TIMEOUT.toSeconds() + " s" : "exited with code "
                    + process.exitValue() + " before listening on 127.0.0.1:" + port)
                    + "; log " + log + ", last lines:\n" + ChildProcesses.tail(log, 40));
        }
        return process;
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (paused && process.isAlive()) {
            resume(); // a stopped process would not act on SIGTERM
        }
        ChildProcesses.stop(process, 5);
    }

    @Override
    public String toString() {
        return "proxy at " + endpoint() + " (pid " + process.pid() + ", log " + log + ")";
    }

    public static final class Builder {
        private final Map<String, String> credentials = new LinkedHashMap<>();
        private String name = "proxy";
        private Path jar;
        private String region = "us-east-1";
        private String upstreamEndpoint;
        private String upstreamRegion = "us-east-1";
        private String upstreamAccessKey;
        private String upstreamSecretKey;
        private boolean pathStyle = true;
        private String payloadMode = "auto";
        private String heap = "256m";
        private final List<String> jvmOptions = new ArrayList<>();
        private String extraYaml = "";
        private final Map<String, String> credentialYaml = new LinkedHashMap<>();
        private String upstreamYaml = "";
        private URI redis;
        private Long leaseMs;
        private Long waitMs;
        private String lockMode;
        private String onRedisDown;

        /** Used in the log file name, e.g. the test class. */
        /** Runs this jar instead of the build's {@code proxy.jar} (benchmarks: an earlier build beside this one). */
        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        public Builder name(String name) {
            this.name = name.replaceAll("[^A-Za-z0-9._-]", "_");
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder credential(String accessKey, String secretKey) {
            credentials.put(accessKey, secretKey);
            return this;
        }

        /** A key pair with extra YAML lines for its list entry, e.g. {@code "readOnly: true"} (no indentation). */
        public Builder credential(String accessKey, String secretKey, String... extraLines) {
            credentials.put(accessKey, secretKey);
            credentialYaml.put(accessKey, String.join("\n", extraLines));
            return this;
        }

        /** YAML lines added inside the {@code upstream:} section, e.g. {@code "caFile: /x.pem"} (no indentation). */
        public Builder upstreamYaml(String... lines) {
            this.upstreamYaml = String.join("\n", lines);
            return this;
        }

        public Builder upstreamEndpoint(String endpoint) {
            this.upstreamEndpoint = endpoint;
            return this;
        }

        public Builder upstreamRegion(String region) {
            this.upstreamRegion = region;
            return this;
        }

        public Builder upstreamCredentials(String accessKey, String secretKey) {
            this.upstreamAccessKey = accessKey;
            this.upstreamSecretKey = secretKey;
            return this;
        }

        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /** {@code auto} or {@code unsigned}. */
        public Builder payloadMode(String payloadMode) {
            this.payloadMode = payloadMode;
            return this;
        }

        /** Maximum heap of the proxy JVM, e.g. {@code 128m}. */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** YAML appended verbatim at top level (e.g. a {@code lock:} section). */
        public Builder extraYaml(String yaml) {
            this.extraYaml = yaml;
            return this;
        }

        /** {@code lock.redis}: the Redis shared by the instances (absent: local locks only). */
        public Builder redis(URI redis) {
            this.redis = redis;
            return this;
        }

        /** {@code lock.leaseMs}. */
        public Builder leaseMs(long leaseMs) {
            this.leaseMs = leaseMs;
            return this;
        }

        /** {@code lock.waitMs}. */
        public Builder waitMs(long waitMs) {
            this.waitMs = waitMs;
            return this;
        }

        /** {@code lock.mode}: {@code serialize} or {@code fenced}. */
        public Builder lockMode(String mode) {
            this.lockMode = mode;
            return this;
        }

        /** {@code lock.onRedisDown}: {@code fail} or {@code conditional}. */
        public Builder onRedisDown(String onRedisDown) {
            this.onRedisDown = onRedisDown;
            return this;
        }

        /**
         * Starts {@code count} instances with this configuration (same client credentials, same
         * upstream, same Redis), each on its own ports, all at once to save wall time (the ports are
         * reserved together first, so no two instances get the same).
         */
        public List<ProxyProcess> start(int count) {
            int[] ports = Ports.freePorts(2 * count);
            ExecutorService starters = Executors.newFixedThreadPool(count);
            List<Future<ProxyProcess>> starting = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int port = ports[2 * i];
                int adminPort = ports[2 * i + 1];
                starting.add(starters.submit(() -> start(port, adminPort)));
            }
            starters.shutdown();
            List<ProxyProcess> started = new ArrayList<>();
            RuntimeException failure = null;
            for (Future<ProxyProcess> instance : starting) {
                RuntimeException cause;
                try {
                    started.add(instance.get());
                    continue;
                } catch (ExecutionException e) {
                    cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cause = new IllegalStateException(e);
                }
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
            if (failure != null) {
                started.forEach(ProxyProcess::close);
                throw failure;
            }
            return started;
        }

        String yaml(int port, int adminPort) {
            if (credentials.isEmpty() || upstreamEndpoint == null || upstreamAccessKey == null) {
                throw new IllegalStateException("credentials and upstream endpoint/credentials are required");
            }
            StringBuilder y = new StringBuilder();
            y.append("listen: ").append(quote("127.0.0.1:" + port)).append('\n');
            y.append("admin: ").append(quote("127.0.0.1:" + adminPort)).append('\n');
            y.append("region: ").append(quote(region)).append('\n');
            y.append("credentials:\n");
            credentials.forEach((k, v) -> {
                y.append("  - accessKey: ").append(quote(k)).append('\n')
                        .append("    secretKey: ").append(quote(v)).append('\n');
                indented(y, "    ", credentialYaml.getOrDefault(k, ""));
            });
            y.append("upstream:\n");
            y.append("  endpoint: ").append(quote(upstreamEndpoint)).append('\n');
            y.append("  region: ").append(quote(upstreamRegion)).append('\n');
            y.append("  accessKey: ").append(quote(upstreamAccessKey)).append('\n');
            y.append("  secretKey: ").append(quote(upstreamSecretKey)).append('\n');
            y.append("  pathStyle: ").append(pathStyle).append('\n');
            y.append("  payloadMode: ").append(payloadMode).append('\n');
            indented(y, "  ", upstreamYaml);
            y.append("log:\n  access: true\n  format: json\n");
            if (redis != null || leaseMs != null || waitMs != null || lockMode != null || onRedisDown != null) {
                y.append("lock:\n");
                if (redis != null) {
                    y.append("  redis: ").append(quote(redis.toString())).append('\n');
                }
                if (leaseMs != null) {
                    y.append("  leaseMs: ").append(leaseMs).append('\n');
                }
                if (waitMs != null) {
                    y.append("  waitMs: ").append(waitMs).append('\n');
                }
                if (lockMode != null) {
                    y.append("  mode: ").append(lockMode).append('\n');
                }
                if (onRedisDown != null) {
                    y.append("  onRedisDown: ").append(onRedisDown).append('\n');
                }
            }
            y.append(extraYaml);
            return y.toString();
        }

        private static void indented(StringBuilder y, String indent, String lines) {
            for (String line : lines.split("\n")) {
                if (!line.isBlank()) {
                    y.append(indent).append(line).append('\n');
                }
            }
        }

        private static String quote(String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }

        public ProxyProcess start() {
            int[] ports = Ports.freePorts(2);
            return start(ports[0], ports[1]);
        }

        private ProxyProcess start(int port, int adminPort) {
            Path jar = this.jar != null ? this.jar : ChildProcesses.requiredFile("proxy.jar");
            Path log = ChildProcesses.logDirectory().resolve(name + "-" + port + ".log");
            try {
                Path config = Files.createTempFile("s3lp-it-", ".yaml");
                config.toFile().deleteOnExit();
                Files.writeString(config, yaml(port, adminPort), StandardCharsets.UTF_8);
                // Every secret the run configures, for ZzSecretsNotLoggedIT to grep the logs for.
                List<String> secrets = new ArrayList<>(credentials.values());
                secrets.add(upstreamSecretKey);
                synchronized (Builder.class) {
                    Files.write(ChildProcesses.logDirectory().resolveSibling(ZzSecretsNotLoggedIT.SECRETS_FILE), secrets,
                            StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
                List<String> command = new ArrayList<>();
                command.add(ChildProcesses.javaExecutable().toString());
                command.add("-Xmx" + heap);
                // The test run adds assertions and Netty's paranoid leak detector (see the pom), benchmarks do not.
                for (String option : System.getProperty("proxy.testJvmOptions", "").split(" ")) {
                    if (!option.isBlank()) {
                        command.add(option);
                    }
                }
                command.addAll(jvmOptions);
                command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
                Process process = launch(command, ProcessBuilder.Redirect.to(log.toFile()), port, log);
                return new ProxyProcess(List.copyOf(command), process, config, log, port, adminPort,
                        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(credentials)));
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the proxy", e);
            }
        }
    }
}
