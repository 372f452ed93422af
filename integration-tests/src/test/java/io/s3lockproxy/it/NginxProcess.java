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

/**
 * nginx as a plain pass-through reverse proxy in front of an S3 endpoint, as a child process: the
 * yardstick for what any HTTP hop costs, without signature checks or locks. It keeps connections
 * to the backend alive and streams bodies both ways; it passes the client's {@code Host} on, so the
 * client's SigV4 signature (which covers Host) still verifies at the backend: a client talks to it
 * with the backend's own keys.
 *
 * <pre>nginx -p DIR -c nginx.conf -e DIR/error.log -g 'daemon off;'</pre>
 *
 * The configuration is generated into a temp dir, deleted on {@link #close()}; nginx's output goes
 * to {@code target/proxy-logs/nginx-PORT.log}.
 */
public final class NginxProcess implements AutoCloseable {
    private static final String BINARY = "nginx";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path prefix;
    private final int port;

    private NginxProcess(Process process, Path prefix, int port) {
        this.process = process;
        this.prefix = prefix;
        this.port = port;
    }

    /** Whether an {@code nginx} binary is on PATH. */
    public static boolean available() {
        return Executables.onPath(BINARY);
    }

    /** Starts nginx on a free port of 127.0.0.1 in front of the http {@code backend}. */
    public static NginxProcess start(URI backend) {
        if (!"http".equals(backend.getScheme()) || backend.getPort() < 0) {
            throw new IllegalArgumentException("nginx pass-through needs an http://host:port backend, not " + backend);
        }
        int port = Ports.freePort();
        Path log = ChildProcesses.logDirectory().resolve("nginx-" + port + ".log");
        Path prefix = null;
        try {
            prefix = Files.createTempDirectory("s3lp-nginx-");
            Files.writeString(prefix.resolve("nginx.conf"), config(port, backend), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(List.of(BINARY, "-p", prefix.toString(), "-c", "nginx.conf",
                    "-e", prefix.resolve("error.log").toString(), "-g", "daemon off;"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!Ports.awaitListening("127.0.0.1", port, START_TIMEOUT, process::isAlive)) {
                ChildProcesses.stop(process, 5);
                throw new IllegalStateException("nginx did not listen on 127.0.0.1:" + port + "; " + log + ":\n"
                        + ChildProcesses.tail(log, 20) + "\n" + prefix.resolve("error.log") + ":\n"
                        + ChildProcesses.tail(prefix.resolve("error.log"), 20));
            }
            return new NginxProcess(process, prefix, port);
        } catch (IOException e) {
            ChildProcesses.deleteRecursively(prefix);
            throw new UncheckedIOException("could not start nginx", e);
        }
    }

    /**
     * The configuration: every setting that would make nginx hold a body or drop a connection the
     * direct client keeps is turned off, so that the hop itself is what gets measured.
     */
    static String config(int port, URI backend) {
        return """
                worker_processes auto;
                pid nginx.pid;
                events {
                    worker_connections 4096;
                }
                http {
                    access_log off;
                    # kept inside the prefix (nginx creates them at start even when unused)
                    client_body_temp_path client_body;
                    proxy_temp_path proxy_temp;
                    fastcgi_temp_path fastcgi_temp;
                    uwsgi_temp_path uwsgi_temp;
                    scgi_temp_path scgi_temp;
                    upstream backend {
                        server %s:%d;
                        keepalive 64;
                        keepalive_requests 1000000;
                    }
                    server {
                        listen 127.0.0.1:%d;
                        # the SDK's connections live for the whole run, as they do against the backend
                        keepalive_requests 1000000;
                        client_max_body_size 0;
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            # the client signed Host: pass it on unchanged
                            proxy_set_header Host $http_host;
                            proxy_request_buffering off;
                            proxy_buffering off;
                        }
                    }
                }
                """.formatted(backend.getHost(), backend.getPort(), port);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The master process and its workers (the processes whose CPU time the hop costs). */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.children().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, 5); // SIGTERM: the master stops its workers
        ChildProcesses.deleteRecursively(prefix);
    }

    @Override
    public String toString() {
        return "nginx at " + endpoint() + " (pid " + process.pid() + ", " + (pids().size() - 1) + " workers)";
    }
}
