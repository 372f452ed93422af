package io.s3lockproxy.lock;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} on a free local port, without persistence, that a test can stop,
 * kill and restart on the same port.
 *
 * <p>The binary is the {@code redis-server} on PATH. A machine without one (a fresh machine with
 * only a JDK and Maven) gets the Linux/macOS binary that the test dependency
 * {@code com.github.codemonstur:embedded-redis} ships (Redis 6.2), extracted once per JVM to a
 * temporary directory and run with exactly the same arguments. The system property
 * {@value #BINARY_PROPERTY} overrides the choice: {@code path} (PATH only, fail without it),
 * {@code embedded} (always the shipped binary), or the file name of a {@code redis-server}.
 *
 * <p>Public and shipped in the proxy module's test-jar so that the integration tests start their
 * Redis servers with this same class.
 */
public final class RedisServerProcess implements AutoCloseable {
    /** The system property that chooses the binary: {@code path}, {@code embedded} or a file name. */
    public static final String BINARY_PROPERTY = "s3lp.redisServer";

    /**
     * The server binaries in the embedded-redis jar, by {@code os.name}/{@code os.arch}. The file
     * names are the jar's own; the Linux x86_64 one reports {@code v=6.2.11} despite its name.
     */
    private static final List<String[]> EMBEDDED = List.of(
            new String[] {"linux", "amd64", "redis-server-6.2.6-v5-linux-amd64"},
            new String[] {"linux", "x86_64", "redis-server-6.2.6-v5-linux-amd64"},
            new String[] {"linux", "aarch64", "redis-server-6.2.7-linux-arm64"},
            new String[] {"linux", "arm64", "redis-server-6.2.7-linux-arm64"},
            new String[] {"mac", "aarch64", "redis-server-6.2.6-v5-darwin-arm64"},
            new String[] {"mac", "x86_64", "redis-server-6.2.6-v5-darwin-amd64"});

    private static String binary;

    private final int port;
    private final List<String> command;
    private final Path log;
    private Process process;

    private RedisServerProcess(int port, List<String> command) throws IOException {
        this.port = port;
        this.command = command;
        this.log = Files.createTempFile("redis-test-" + port, ".log");
    }

    /** Returns a started server on a free port. */
    public static RedisServerProcess start() throws IOException {
        int port = freePort();
        RedisServerProcess redis = new RedisServerProcess(port, List.of(binary(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        redis.restart();
        return redis;
    }

    /**
     * Returns a started Redis Cluster node on a free port, not yet part of a cluster, that keeps its
     * cluster state in {@code dir}; a peer that does not answer for {@code nodeTimeoutMillis} is failed
     * over.
     */
    public static RedisServerProcess startClusterNode(Path dir, long nodeTimeoutMillis) throws IOException {
        int port = freePort();
        RedisServerProcess node = new RedisServerProcess(port, List.of(binary(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                "--cluster-node-timeout", Long.toString(nodeTimeoutMillis), "--repl-diskless-sync-delay", "0"));
        node.restart();
        return node;
    }

    /** Returns a started Sentinel on a free port that monitors {@code master} under {@code masterName}. */
    public static RedisServerProcess startSentinel(RedisServerProcess master, String masterName) throws IOException {
        int port = freePort();
        Path config = Files.createTempFile("sentinel-" + port, ".conf");
        Files.writeString(config, "port " + port + "\nbind 127.0.0.1\n"
                + "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1\n");
        RedisServerProcess sentinel = new RedisServerProcess(port, List.of(binary(), config.toString(), "--sentinel"));
        sentinel.restart();
        return sentinel;
    }

    /** Returns the {@code redis://} URI of this server. */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Starts the server (again) on its port and waits until it answers PING. */
    public void restart() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server already running on " + port);
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(log));
            }
            if ("+PONG".equals(command("PING"))) {
                return;
            }
            sleep(20);
        }
        throw new IOException("redis-server on " + port + " did not answer PING within 10 s");
    }

    /** Stops the server gracefully (SIGTERM) and waits for it to be gone. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /** Kills the server at once (SIGKILL), as a crash would, and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Stops the process (SIGSTOP) until {@link #resume()}, as a stalled host would: it neither answers nor replicates. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Lets a {@link #pause() paused} process run on (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Returns whether the server process is running. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Sends one inline command and returns the first reply line, or null if unreachable. */
    public String command(String inline) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** How many times the server has run {@code command} (lower case), from its command statistics. */
    public long commandCalls(String command) {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            String prefix = "cmdstat_" + command + ":calls=";
            for (String line : jedis.info("commandstats").split("\r\n")) {
                if (line.startsWith(prefix)) {
                    return Long.parseLong(line.substring(prefix.length(), line.indexOf(',')));
                }
            }
            return 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
        }
    }

    /**
     * Returns the {@code redis-server} binary every instance runs (see the class comment), found
     * or extracted on first use.
     */
    public static synchronized String binary() throws IOException {
        if (binary == null) {
            String choice = System.getProperty(BINARY_PROPERTY, "").strip();
            Path onPath = onPath("redis-server");
            if (choice.equals("embedded") || (choice.isEmpty() && onPath == null)) {
                binary = extractEmbedded().toString();
                // Say so once: a run on a machine without Redis should not look like one with it.
                System.err.println("RedisServerProcess: " + (choice.isEmpty() ? "no redis-server on PATH; " : "")
                        + "using the binary shipped in com.github.codemonstur:embedded-redis: " + binary
                        + " (" + version(binary) + ")");
            } else if (choice.equals("path") || choice.isEmpty()) {
                if (onPath == null) {
                    throw new IOException("-D" + BINARY_PROPERTY + "=path, but there is no redis-server on PATH");
                }
                binary = onPath.toString();
            } else {
                if (!Files.isExecutable(Path.of(choice))) {
                    throw new IOException("-D" + BINARY_PROPERTY + "=" + choice + " is not an executable file");
                }
                binary = choice;
            }
        }
        return binary;
    }

    static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        return null;
    }

    private static Path extractEmbedded() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String resource = null;
        for (String[] entry : EMBEDDED) {
            if (os.contains(entry[0]) && arch.equals(entry[1])) {
                resource = entry[2];
                break;
            }
        }
        if (resource == null) {
            throw new IOException("no redis-server on PATH, and embedded-redis ships no binary for " + os + "/" + arch
                    + ": install redis-server");
        }
        Path dir = Files.createTempDirectory("s3lp-redis-");
        Path file = dir.resolve("redis-server");
        try (InputStream in = RedisServerProcess.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no redis-server on PATH, and " + resource + " is not on the test class path"
                        + " (test dependency com.github.codemonstur:embedded-redis)");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!file.toFile().setExecutable(true, true)) {
            throw new IOException("cannot make " + file + " executable");
        }
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return file;
    }

    /** Returns the first line {@code binary --version} prints. */
    private static String version(String binary) throws IOException {
        Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            int newline = out.indexOf('\n');
            return newline < 0 ? out : out.substring(0, newline);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
