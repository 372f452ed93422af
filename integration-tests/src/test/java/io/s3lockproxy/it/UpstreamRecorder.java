package io.s3lockproxy.it;

import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP/1.1 forwarding proxy placed between the proxy instances and the S3 backend that
 * watches the writes reaching the backend: how many PUT / POST / DELETE requests per object path
 * are in flight at once (the maximum is what the exclusion tests assert), and the order in which
 * they completed.
 *
 * <p>Bytes are forwarded verbatim in both directions and streamed in small buffers (bodies are
 * never held whole): the Host header stays as the proxy signed it, so signatures stay valid. A
 * write is in flight from the moment its request head arrives until the head of its final
 * (non-1xx) response has come back from the backend (S3 answers once the write is done), or until
 * either side's connection ends. It ends before any byte of the answer is passed on, so before
 * the proxy can see its upstream response and release the lock: a lock that works can never show
 * two in flight here.
 *
 * <p>Plain blocking sockets, two threads per connection; fine for tests, not for benchmarks.
 */
public final class UpstreamRecorder implements AutoCloseable {
    /** A write that reached the backend. {@code status} is -1 when its connection ended first. */
    public record Write(String method, String path, String query, Map<String, String> headers, int status,
                        long startNanos, long endNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean succeeded() {
            return status >= 200 && status < 300;
        }
    }

    private final ServerSocket server;
    private final String backendHost;
    private final int backendPort;
    private final Thread acceptor;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();
    private final List<Write> completed = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;
    /** Until when (System.nanoTime) no byte is passed on in either direction. */
    private volatile long stalledUntilNanos = System.nanoTime();

    private UpstreamRecorder(URI backend) throws IOException {
        this.backendHost = backend.getHost();
        this.backendPort = backend.getPort();
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "recorder-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a recorder forwarding to {@code backend} (http://host:port). */
    public static UpstreamRecorder forwardingTo(URI backend) {
        try {
            return new UpstreamRecorder(backend);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the upstream recorder", e);
        }
    }

    /** Where the proxies send their upstream requests: {@code upstream.endpoint}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The highest number of writes to {@code path} (e.g. {@code /bucket/key}) seen in flight at once. */
    public int maxInFlight(String path) {
        AtomicInteger max = maxInFlight.get(path);
        return max == null ? 0 : max.get();
    }

    /** Writes to {@code path} in flight right now. */
    public int inFlight(String path) {
        AtomicInteger n = inFlight.get(path);
        return n == null ? 0 : n.get();
    }

    /** Completed (or aborted) writes to {@code path}, in the order their responses completed. */
    public List<Write> completedWrites(String path) {
        synchronized (completed) {
            return completed.stream().filter(w -> w.path().equals(path)).toList();
        }
    }

    /** Method and path ({@code HEAD /bucket/key}) of every request that reached the backend, reads too, in arrival order. */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /**
     * Passes no byte on, in either direction, for {@code duration} from now, as a stalled network
     * path would: connections stay open, and what the kernel already took stays queued here.
     */
    public void stall(Duration duration) {
        stalledUntilNanos = System.nanoTime() + duration.toNanos();
    }

    /**
     * Closes every connection between the proxies and the backend at once, both sides, as a
     * dropped network path would (requests in flight end as aborted, -1); returns how many pairs.
     */
    public int dropConnections() {
        List<Socket> open;
        synchronized (sockets) {
            open = List.copyOf(sockets);
        }
        open.forEach(UpstreamRecorder::closeQuietly);
        return open.size() / 2;
    }

    /** Forgets the maxima and completed writes seen so far (writes in flight stay counted). */
    public void reset() {
        maxInFlight.clear();
        completed.clear();
    }

    /** Waits until {@code path} has at least {@code count} writes in flight; false on timeout. */
    public boolean awaitInFlight(String path, int count, Duration timeout) {
        return await(() -> inFlight(path) >= count, timeout);
    }

    /** Waits until no write to {@code path} is in flight; false on timeout. */
    public boolean awaitIdle(String path, Duration timeout) {
        return await(() -> inFlight(path) == 0, timeout);
    }

    private static boolean await(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        synchronized (sockets) {
            sockets.forEach(UpstreamRecorder::closeQuietly);
            sockets.clear();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket backend = new Socket(backendHost, backendPort);
                client.setTcpNoDelay(true);
                backend.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(backend);
                new Connection(client, backend).start();
            } catch (IOException e) {
                if (!closed) {
                    // a backend that refuses: drop this connection, keep accepting
                    continue;
                }
                return;
            }
        }
    }

    private static boolean isWrite(String method) {
        return method.equals("PUT") || method.equals("POST") || method.equals("DELETE");
    }

    /** A request whose response has not completed yet. */
    private final class Pending {
        final String method;
        final String path;
        final String query;
        final Map<String, String> headers;
        final long start = System.nanoTime();
        boolean ended;

        Pending(String method, String target, Map<String, String> headers) {
            this.method = method;
            int q = target.indexOf('?');
            this.path = q < 0 ? target : target.substring(0, q);
            this.query = q < 0 ? "" : target.substring(q + 1);
            this.headers = headers;
            requests.add(method + " " + path);
            if (isWrite(method)) {
                int now = inFlight.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                maxInFlight.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            }
        }

        void end(int status) {
            if (ended) {
                return;
            }
            ended = true;
            if (isWrite(method)) {
                // recorded before the count drops, so the order of completion is the order seen here
                completed.add(new Write(method, path, query, headers, status, start, System.nanoTime()));
                inFlight.get(path).decrementAndGet();
            }
        }
    }

    /** One client connection and its own backend connection; a thread each way. */
    private final class Connection {
        private final Socket client;
        private final Socket backend;
        private final Deque<Pending> pending = new ArrayDeque<>();
        private boolean done;

        Connection(Socket client, Socket backend) {
            this.client = client;
            this.backend = backend;
        }

        void start() {
            Thread requests = new Thread(this::pumpRequests, "recorder-req-" + client.getPort());
            Thread responses = new Thread(this::pumpResponses, "recorder-resp-" + client.getPort());
            requests.setDaemon(true);
            responses.setDaemon(true);
            requests.start();
            responses.start();
        }

        private void pumpRequests() {
            try (InputStream in = new BufferedInputStream(client.getInputStream(), HttpWire.BUFFER)) {
                OutputStream out = new StallableOutput(backend.getOutputStream());
                while (true) {
                    byte[] head = HttpWire.readHead(in);
                    if (head == null) {
                        break;
                    }
                    List<String> lines = HttpWire.lines(head);
                    String[] requestLine = lines.get(0).split(" ");
                    Map<String, String> headers = HttpWire.headers(lines);
                    synchronized (this) {
                        if (done) {
                            break;
                        }
                        pending.addLast(new Pending(requestLine[0].toUpperCase(Locale.ROOT), requestLine[1], headers));
                    }
                    out.write(head);
                    out.flush();
                    HttpWire.copyBody(in, out, headers, false);
                }
            } catch (IOException | RuntimeException e) {
                // the client went away, or the backend stopped reading (it may still answer)
            } finally {
                // half-close: a backend in the middle of a request body sees it end early and
                // gives up; an answer it is still sending comes through; pumpResponses then ends it all
                try {
                    backend.shutdownOutput();
                } catch (IOException e) {
                    finish();
                }
            }
        }

        private void pumpResponses() {
            try (InputStream in = new BufferedInputStream(backend.getInputStream(), HttpWire.BUFFER)) {
                OutputStream out = new StallableOutput(client.getOutputStream());
                while (true) {
                    byte[] head = HttpWire.readHead(in);
                    if (head == null) {
                        break;
                    }
                    List<String> lines = HttpWire.lines(head);
                    int status = HttpWire.status(lines);
                    Map<String, String> headers = HttpWire.headers(lines);
                    if (status >= 100 && status < 200) {
                        out.write(head);
                        out.flush();
                        continue; // 100 Continue: the final response is still to come
                    }
                    Pending request;
                    synchronized (this) {
                        request = pending.pollFirst();
                        if (request != null) {
                            // the backend has finished the write once it answers; ended before a
                            // byte goes back, so the proxy cannot release and send the next write first
                            request.end(status);
                        }
                    }
                    out.write(head);
                    out.flush();
                    boolean noBody = status == 204 || status == 304 || (request != null && request.method.equals("HEAD"));
                    if (!noBody) {
                        HttpWire.copyBody(in, out, headers, true);
                    }
                    if ("close".equalsIgnoreCase(headers.get("connection"))) {
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // either side went away
            } finally {
                finish();
            }
        }

        /** Closes both sockets once; requests still pending end as aborted (-1). */
        private void finish() {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                pending.forEach(p -> p.end(-1));
                pending.clear();
            }
            closeQuietly(client);
            closeQuietly(backend);
            sockets.remove(client);
            sockets.remove(backend);
        }
    }

    /** Writes that wait out a {@link #stall}. */
    private final class StallableOutput extends FilterOutputStream {
        StallableOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            awaitUnstalled();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            awaitUnstalled();
            out.write(b, off, len);
        }

        private void awaitUnstalled() throws InterruptedIOException {
            for (long left = stalledUntilNanos - System.nanoTime(); left > 0; left = stalledUntilNanos - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted in a stall");
                }
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
