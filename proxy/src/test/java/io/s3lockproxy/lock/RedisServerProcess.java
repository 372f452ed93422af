package io.s3lockproxy.lock;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} from PATH on a free local port, without persistence, that a test
 * can stop, kill and restart on the same port.
 *
 * <p>Public and shipped in the proxy module's test-jar so that the integration tests start their
 * Redis servers with this same class.
 */
public final class RedisServerProcess implements AutoCloseable {

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
        RedisServerProcess redis = new RedisServerProcess(port, List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        redis.restart();
        return redis;
    }

    /** Returns a started Sentinel on a free port that monitors {@code master} under {@code masterName}. */
    public static RedisServerProcess startSentinel(RedisServerProcess master, String masterName) throws IOException {
        int port = freePort();
        Path config = Files.createTempFile("sentinel-" + port, ".conf");
        Files.writeString(config, "port " + port + "\nbind 127.0.0.1\n"
                + "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1\n");
        RedisServerProcess sentinel = new RedisServerProcess(port, List.of("redis-server", config.toString(), "--sentinel"));
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

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
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
