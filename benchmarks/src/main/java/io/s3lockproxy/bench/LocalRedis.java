package io.s3lockproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Redis for a benchmark run, from PATH, on free local ports, without persistence: one
 * {@code redis-server}, or a cluster of three masters with a replica each joined by
 * {@code redis-cli --cluster create}. Closing it kills every process.
 */
final class LocalRedis implements AutoCloseable {

    private final List<Process> processes;
    private final URI uri;
    private final String description;

    private LocalRedis(List<Process> processes, URI uri, String description) {
        this.processes = processes;
        this.uri = uri;
        this.description = description;
    }

    /** Starts one {@code redis-server}. */
    static LocalRedis single() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("lock-bench-redis");
        int port = freePort();
        List<Process> processes = List.of(server(dir, port));
        awaitPort(port);
        return new LocalRedis(processes, URI.create("redis://127.0.0.1:" + port), "one redis-server");
    }

    /** Starts six cluster-enabled servers and makes them a 3-master/3-replica cluster. */
    static LocalRedis cluster() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("lock-bench-cluster");
        List<Process> processes = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        LocalRedis redis = null;
        try {
            for (int i = 0; i < 6; i++) {
                int port = freePort();
                ports.add(port);
                processes.add(server(dir, port, "--cluster-enabled", "yes", "--cluster-config-file",
                        "nodes-" + port + ".conf", "--cluster-node-timeout", "5000"));
            }
            for (int port : ports) {
                awaitPort(port);
            }
            String nodes = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
            redis = new LocalRedis(processes, URI.create("redis-cluster://" + nodes),
                    "a 3-master/3-replica Redis Cluster");
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            run(create, dir.resolve("create.log"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!clusterOk(ports)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the cluster did not reach cluster_state:ok in 30 s");
                }
                Thread.sleep(100);
            }
            return redis;
        } catch (IOException | InterruptedException | RuntimeException e) {
            processes.forEach(Process::destroyForcibly);
            throw e;
        }
    }

    URI uri() {
        return uri;
    }

    String description() {
        return description;
    }

    private static Process server(Path dir, int port, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
    }

    private static boolean clusterOk(List<Integer> ports) throws IOException, InterruptedException {
        for (int port : ports) {
            Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "cluster", "info")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            if (!out.contains("cluster_state:ok")) {
                return false;
            }
        }
        return true;
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException, IOException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("redis-server did not start on port " + port);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
