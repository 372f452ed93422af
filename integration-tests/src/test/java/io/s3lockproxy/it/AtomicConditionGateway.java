package io.s3lockproxy.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A backend with atomic conditional writes, for tests: an HTTP/1.1 gateway in front of a real S3
 * backend that enforces {@code If-Match} / {@code If-None-Match} on PutObject at commit time.
 *
 * <p>A conditional PUT is read whole first (its body, framing included, held in memory). Then,
 * under a mutex per object path, the gateway HEADs the object on the backend, answers 412
 * PreconditionFailed (or 404 NoSuchKey for If-Match on a missing key) when the condition is false,
 * and otherwise forwards the request verbatim and releases the mutex only once the backend has
 * answered. So two writers holding the same ETag can never both commit, whatever the order in
 * which their bytes arrive, and a writer that stops before the end of its body commits nothing.
 *
 * <p>Requests are forwarded byte for byte, signed for the gateway's host:port as they are, so
 * signatures stay valid. The condition headers stay in the request too (they are signed); put the
 * gateway in front of a backend that ignores them (S3Proxy 2.6.0), so that the gateway's check is
 * the one that counts. Everything else passes through unchanged. One thread per connection,
 * requests on a connection one at a time; fine for tests.
 */
final class AtomicConditionGateway implements S3Backend {
    private final S3Backend backend;
    private final S3Client heads;
    private final ServerSocket server;
    private final Map<String, ReentrantLock> commitLocks = new ConcurrentHashMap<>();
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private AtomicConditionGateway(S3Backend backend) throws IOException {
        this.backend = backend;
        this.heads = Clients.direct(backend);
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "atomic-gateway-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a gateway in front of {@code backend}; closing the gateway leaves the backend running. */
    static AtomicConditionGateway inFrontOf(S3Backend backend) {
        try {
            return new AtomicConditionGateway(backend);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the atomic condition gateway", e);
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    @Override
    public String accessKey() {
        return backend.accessKey();
    }

    @Override
    public String secretKey() {
        return backend.secretKey();
    }

    @Override
    public String region() {
        return backend.region();
    }

    @Override
    public String kind() {
        return "atomic(" + backend.kind() + ")";
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
            sockets.forEach(AtomicConditionGateway::closeQuietly);
            sockets.clear();
        }
        heads.close();
    }

    @Override
    public String toString() {
        return kind() + " at " + endpoint();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread connection = new Thread(() -> serve(client), "atomic-gateway-" + client.getPort());
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket client) {
        URI target = backend.endpoint();
        sockets.add(client);
        try (client; Socket upstream = new Socket(target.getHost(), target.getPort())) {
            sockets.add(upstream);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            InputStream fromClient = new BufferedInputStream(client.getInputStream(), HttpWire.BUFFER);
            InputStream fromBackend = new BufferedInputStream(upstream.getInputStream(), HttpWire.BUFFER);
            OutputStream toClient = client.getOutputStream();
            OutputStream toBackend = upstream.getOutputStream();
            while (true) {
                byte[] head = HttpWire.readHead(fromClient);
                if (head == null) {
                    return;
                }
                Request request = Request.of(head);
                boolean keepGoing = request.isConditionalPut()
                        ? commitConditionally(request, fromClient, toClient, toBackend, fromBackend)
                        : passThrough(request, fromClient, toClient, toBackend, fromBackend);
                if (!keepGoing) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // either side went away; a conditional PUT whose body did not arrive whole was never forwarded
        } finally {
            synchronized (sockets) {
                sockets.removeIf(Socket::isClosed);
            }
        }
    }

    /** Forwards one request as it streams, then relays the answer; false when the connection must end. */
    private static boolean passThrough(Request request, InputStream fromClient, OutputStream toClient,
                                       OutputStream toBackend, InputStream fromBackend) throws IOException {
        toBackend.write(request.head);
        toBackend.flush();
        HttpWire.copyBody(fromClient, toBackend, request.headers, false);
        return relayResponse(request, fromBackend, toClient);
    }

    private boolean commitConditionally(Request request, InputStream fromClient, OutputStream toClient,
                                        OutputStream toBackend, InputStream fromBackend) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpWire.copyBody(fromClient, body, request.headers, false);
        ReentrantLock commitLock = commitLocks.computeIfAbsent(request.path, p -> new ReentrantLock());
        commitLock.lock();
        try {
            String refusal = refusal(request);
            if (refusal != null) {
                toClient.write(refusal.getBytes(StandardCharsets.UTF_8));
                toClient.flush();
                return true;
            }
            toBackend.write(request.head);
            body.writeTo(toBackend);
            toBackend.flush();
            return relayResponse(request, fromBackend, toClient, commitLock);
        } finally {
            if (commitLock.isHeldByCurrentThread()) {
                commitLock.unlock();
            }
        }
    }

    private static boolean relayResponse(Request request, InputStream fromBackend, OutputStream toClient)
            throws IOException {
        return relayResponse(request, fromBackend, toClient, null);
    }

    /**
     * Relays the backend's answer; {@code commitLock}, when given, is released as soon as the head
     * of the final answer has arrived (the backend has decided the write by then).
     */
    private static boolean relayResponse(Request request, InputStream fromBackend, OutputStream toClient,
                                         ReentrantLock commitLock) throws IOException {
        while (true) {
            byte[] head = HttpWire.readHead(fromBackend);
            if (head == null) {
                throw new IOException("the backend closed without an answer");
            }
            List<String> lines = HttpWire.lines(head);
            int status = HttpWire.status(lines);
            if (status >= 100 && status < 200) {
                toClient.write(head);
                toClient.flush();
                continue;
            }
            if (commitLock != null) {
                commitLock.unlock();
            }
            Map<String, String> headers = HttpWire.headers(lines);
            toClient.write(head);
            toClient.flush();
            boolean noBody = status == 204 || status == 304 || request.method.equals("HEAD");
            if (!noBody) {
                HttpWire.copyBody(fromBackend, toClient, headers, true);
            }
            return !"close".equalsIgnoreCase(headers.get("connection"));
        }
    }

    /** The error answer when the request's condition does not hold on the backend now; null when it holds. */
    private String refusal(Request request) {
        String etag = currentETag(request);
        String ifMatch = request.headers.get("if-match");
        String ifNoneMatch = request.headers.get("if-none-match");
        if (ifMatch != null && etag == null) {
            return error(404, "Not Found", "NoSuchKey", "The specified key does not exist.", request.path);
        }
        if (ifMatch != null && !matches(ifMatch, etag)) {
            return error(412, "Precondition Failed", "PreconditionFailed",
                    "At least one of the pre-conditions you specified did not hold", request.path);
        }
        if (ifNoneMatch != null && etag != null && matches(ifNoneMatch, etag)) {
            return error(412, "Precondition Failed", "PreconditionFailed",
                    "At least one of the pre-conditions you specified did not hold", request.path);
        }
        return null;
    }

    /** The object's ETag on the backend, or null when it does not exist. */
    private String currentETag(Request request) {
        String[] bucketAndKey = request.path.substring(1).split("/", 2);
        String key = URLDecoder.decode(bucketAndKey[1], StandardCharsets.UTF_8);
        try {
            return heads.headObject(b -> b.bucket(bucketAndKey[0]).key(key)).eTag();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** Whether a condition ({@code *} or a list of entity tags) matches {@code etag}. */
    private static boolean matches(String condition, String etag) {
        for (String candidate : condition.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || unquoted(c).equals(unquoted(etag))) {
                return true;
            }
        }
        return false;
    }

    private static String unquoted(String etag) {
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    private static String error(int status, String reason, String code, String message, String resource) {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><Resource>" + resource + "</Resource><RequestId>atomic-gateway</RequestId></Error>";
        int length = xml.getBytes(StandardCharsets.UTF_8).length;
        return "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: " + length
                + "\r\n\r\n" + xml;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** A request head as it arrived. */
    private static final class Request {
        final byte[] head;
        final String method;
        final String path;
        final String query;
        final Map<String, String> headers;

        private Request(byte[] head, String method, String path, String query, Map<String, String> headers) {
            this.head = head;
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
        }

        static Request of(byte[] head) {
            List<String> lines = HttpWire.lines(head);
            String[] requestLine = lines.get(0).split(" ");
            String target = requestLine[1];
            int q = target.indexOf('?');
            return new Request(head, requestLine[0].toUpperCase(Locale.ROOT), q < 0 ? target : target.substring(0, q),
                    q < 0 ? "" : target.substring(q + 1), HttpWire.headers(lines));
        }

        /** PutObject (not UploadPart, not a bucket-level PUT) carrying If-Match or If-None-Match. */
        boolean isConditionalPut() {
            boolean objectPath = path.indexOf('/', 1) > 0 && path.indexOf('/', 1) < path.length() - 1;
            boolean uploadPart = query.contains("uploadId=");
            return method.equals("PUT") && objectPath && !uploadPart
                    && (headers.containsKey("if-match") || headers.containsKey("if-none-match"));
        }
    }
}
