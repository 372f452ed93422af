package io.s3lockproxy.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted S3 stand-in on 127.0.0.1 (MockWebServer style): tests enqueue answers, the server
 * records every request it received (head, body bytes, whether the body arrived in full).
 *
 * <p>The storage probe's requests (objects under {@code .s3-lock-proxy/probe-<uuid>}) are answered
 * and recorded apart, per object it names (the part after the uuid: "", "-race", "-source", …): the
 * probe asks about several objects side by side, and its clean-up may still run while the write it
 * was made for goes on.
 */
final class FakeUpstream implements AutoCloseable {
    private static final Pattern PROBE_PATH = Pattern.compile(
            "/\\.s3-lock-proxy/probe-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}([^ ?]*)");

    /** One request as the upstream saw it; {@code complete} is false when the connection ended mid-body. */
    record Received(int connection, String requestLine, Map<String, String> headers, byte[] body, long declaredLength,
                    boolean complete, long arrivedNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What to do with the next request. */
    interface Answer {
        /** Writes the answer; returns false when the connection must end afterwards. */
        boolean write(OutputStream out, Socket socket) throws IOException;
    }

    static Answer full(int status, Map<String, String> headers, byte[] body) {
        return (out, socket) -> {
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (!headers.containsKey("Content-Length") && !headers.containsKey("Transfer-Encoding")) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return true;
        };
    }

    /** Sends an unsolicited interim {@code 100 Continue}, then {@code answer}. */
    static Answer interimThen(Answer answer) {
        return (out, socket) -> {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return answer.write(out, socket);
        };
    }

    /** Waits {@code ms}, then gives {@code answer}. */
    static Answer delayed(long ms, Answer answer) {
        return (out, socket) -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return answer.write(out, socket);
        };
    }

    /**
     * Answers {@code status} as soon as the head has arrived, without reading the body, then closes
     * the connection (as S3Proxy does for a bad checksum header): the body the proxy still sends meets a reset.
     * A request with {@code Expect: 100-continue} gets no 100 Continue before it.
     */
    record AnswerBeforeBody(int status, String code) implements Answer {
        AnswerBeforeBody(int status) {
            this(status, "BadDigest");
        }

        @Override
        public boolean write(OutputStream out, Socket socket) throws IOException {
            byte[] xml = ("<Error><Code>" + code + "</Code></Error>").getBytes(StandardCharsets.US_ASCII);
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: " + xml.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(xml);
            out.flush();
            return false;
        }
    }

    /** Reads {@code bytes} of the next request's body, then closes the connection, never reading the rest. */
    record CloseMidRequest(int bytes) implements Answer {
        @Override
        public boolean write(OutputStream out, Socket socket) {
            return false;
        }
    }

    /** Closes the connection without a word, after the whole request arrived. */
    static Answer closeWithoutAnswer() {
        return (out, socket) -> false;
    }

    static Answer status(int status) {
        return full(status, Map.of("Content-Length", "0"), new byte[0]);
    }

    static Answer ok() {
        return full(200, Map.of("ETag", "\"etag\""), new byte[0]);
    }

    /** Sends a head, {@code send} bytes of a {@code declared}-byte body, then closes. */
    static Answer closeMidBody(int declared, int send) {
        return (out, socket) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[send]);
            out.flush();
            return false;
        };
    }

    /** Never answers; the connection stays open until the peer closes it. */
    static Answer silent() {
        return (out, socket) -> {
            try {
                while (socket.getInputStream().read() >= 0) {
                    // wait for the peer to give up
                }
            } catch (IOException e) {
                // closed
            }
            return false;
        };
    }

    private final ServerSocket server;
    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
    private final Map<String, BlockingQueue<Answer>> probeAnswers = new ConcurrentHashMap<>();
    private final Map<String, BlockingQueue<Answer>> byPath = new ConcurrentHashMap<>();
    private final BlockingQueue<Received> probeReceived = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean answersExpectContinue = true;

    FakeUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "fake-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** From now on, {@code Expect: 100-continue} gets no interim answer: the server waits for the body regardless. */
    void ignoreExpectContinue() {
        answersExpectContinue = false;
    }

    void enqueue(Answer answer) {
        answers.add(answer);
    }

    /** Enqueues the answer to the next request for {@code path} (the request target without its query), whatever the order requests arrive in. */
    void enqueueFor(String path, Answer answer) {
        byPath.computeIfAbsent(path, p -> new LinkedBlockingQueue<>()).add(answer);
    }

    /** Enqueues the answer to the next probe request on the probe's object {@code part} ("" for its first, "-race", …). */
    void enqueueProbe(String part, Answer answer) {
        probeAnswersFor(part).add(answer);
    }

    /** Returns the next received probe request, or null after 5 s. */
    Received takeProbe() throws InterruptedException {
        return probeReceived.poll(5, TimeUnit.SECONDS);
    }

    /** Returns a received probe request if one arrives within {@code ms}, else null. */
    Received pollProbe(long ms) throws InterruptedException {
        return probeReceived.poll(ms, TimeUnit.MILLISECONDS);
    }

    /** The object of the probe that {@code requestLine} addresses ("" for its first, "-race", …), or null if none. */
    static String probePart(String requestLine) {
        Matcher m = PROBE_PATH.matcher(requestLine);
        return m.find() ? m.group(1) : null;
    }

    private BlockingQueue<Answer> probeAnswersFor(String part) {
        return probeAnswers.computeIfAbsent(part, p -> new LinkedBlockingQueue<>());
    }

    /** Returns how many connections were accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Returns the next request line whose head arrived (the body may still be streaming), or null after 5 s. */
    String takeHead() throws InterruptedException {
        return heads.poll(5, TimeUnit.SECONDS);
    }

    /** Returns the next received request (complete or cut off), or null after 5 s. */
    Received take() throws InterruptedException {
        return received.poll(5, TimeUnit.SECONDS);
    }

    /** Returns a received request if one arrives within {@code ms}, else null. */
    Received poll(long ms) throws InterruptedException {
        return received.poll(ms, TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "fake-upstream-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int id) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                List<String> lines = readHead(in);
                if (lines == null) {
                    return;
                }
                Map<String, String> headers = new LinkedHashMap<>();
                for (String line : lines.subList(1, lines.size())) {
                    int colon = line.indexOf(':');
                    headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim(), (a, b) -> a + "," + b);
                }
                heads.add(lines.get(0));
                String probe = probePart(lines.get(0));
                String path = lines.get(0).split(" ")[1].split("\\?")[0];
                BlockingQueue<Answer> answers = probe != null ? probeAnswersFor(probe) : byPath.getOrDefault(path, this.answers);
                BlockingQueue<Received> received = probe == null ? this.received : probeReceived;
                long declared = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
                if (answers.peek() instanceof AnswerBeforeBody early) {
                    answers.poll();
                    early.write(out, socket);
                    received.add(new Received(id, lines.get(0), headers, new byte[0], declared, false, System.nanoTime()));
                    return;
                }
                if (answersExpectContinue && "100-continue".equalsIgnoreCase(headers.get("expect"))) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                if (answers.peek() instanceof CloseMidRequest cut) {
                    answers.poll();
                    byte[] part = in.readNBytes((int) Math.min(cut.bytes(), declared));
                    received.add(new Received(id, lines.get(0), headers, part, declared, false, System.nanoTime()));
                    return;
                }
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                byte[] buf = new byte[16 * 1024];
                boolean complete = true;
                if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    declared = -1;
                    complete = readChunked(in, body);
                }
                while (body.size() < declared) {
                    int n;
                    try {
                        n = in.read(buf, 0, (int) Math.min(buf.length, declared - body.size()));
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        complete = false;
                        break;
                    }
                    body.write(buf, 0, n);
                }
                received.add(new Received(id, lines.get(0), headers, body.toByteArray(), declared, complete,
                        System.nanoTime()));
                if (!complete) {
                    return;
                }
                Answer answer = answers.poll(5, TimeUnit.SECONDS);
                if (answer == null || !answer.write(out, socket)) {
                    return;
                }
            }
        } catch (SocketException e) {
            // the proxy reset the connection: the request is recorded as incomplete already or never began
        } catch (IOException | InterruptedException e) {
            // test over
        }
    }

    /** Reads an HTTP/1.1 chunked body into {@code body}; returns false when the connection ended before its last chunk. */
    private static boolean readChunked(InputStream in, ByteArrayOutputStream body) {
        try {
            return readChunks(in, body);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean readChunks(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                return false;
            }
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(in);
                    if (trailer == null) {
                        return false;
                    }
                } while (!trailer.isEmpty());
                return true;
            }
            byte[] data = in.readNBytes(size);
            body.write(data);
            if (data.length < size || !"".equals(readLine(in))) {
                return false;
            }
        }
    }

    /** One CRLF-terminated line without its CRLF, or null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (prev == '\r' && c == '\n') {
                line.setLength(line.length() - 1);
                return line.toString();
            }
            line.append((char) c);
            prev = c;
        }
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                return lines;
            }
            lines.add(line);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
