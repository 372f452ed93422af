package io.s3lockproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A PutObject sent by hand over a raw socket, so that a test controls when each part of the body
 * goes out: the head (signed by the SDK's signer, hex payload hash) and the first bytes now, the
 * rest later or never. For writers that stall, crash or walk away mid-upload.
 */
final class SlowPut implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final byte[] body;
    private int sent;

    private SlowPut(Socket socket, byte[] body) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.body = body;
    }

    /** Opens a connection to {@code endpoint} and sends the signed head of a PUT of {@code body} to /bucket/key. */
    static SlowPut start(URI endpoint, String accessKey, String secretKey, String bucket, String key, byte[] body) {
        return start(endpoint, accessKey, secretKey, bucket, key, body, Map.of(), false);
    }

    /**
     * As above, with {@code extraHeaders} signed into the head, and with {@code Expect: 100-continue}
     * when {@code expectContinue} (then call {@link #awaitContinue()} before sending the body).
     */
    static SlowPut start(URI endpoint, String accessKey, String secretKey, String bucket, String key, byte[] body,
                         Map<String, String> extraHeaders, boolean expectContinue) {
        URI uri = endpoint.resolve("/" + bucket + "/" + key);
        HandSigner.Signed signed = HandSigner.sdkSignedPut(uri, body, accessKey, secretKey, Clock.systemUTC(), false,
                extraHeaders);
        StringBuilder head = new StringBuilder("PUT ").append(signed.uri().getRawPath()).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
            host |= header.getKey().equalsIgnoreCase("host");
            for (String value : header.getValue()) {
                head.append(header.getKey()).append(": ").append(value).append("\r\n");
            }
        }
        if (!host) {
            head.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        }
        if (expectContinue) {
            head.append("Expect: 100-continue\r\n");
        }
        head.append("\r\n");
        try {
            Socket socket = new Socket(endpoint.getHost(), endpoint.getPort());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            SlowPut put = new SlowPut(socket, signed.body());
            put.out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            put.out.flush();
            return put;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the next {@code count} body bytes. */
    void send(int count) throws IOException {
        int n = Math.min(count, body.length - sent);
        out.write(body, sent, n);
        out.flush();
        sent += n;
    }

    /** Sends what is left of the body. */
    void sendRest() throws IOException {
        send(body.length - sent);
    }

    int remaining() {
        return body.length - sent;
    }

    /** Reads the response status code; throws IOException when the connection ends first. */
    int readStatus() throws IOException {
        String statusLine = readLine();
        if (statusLine.isEmpty()) {
            throw new IOException("connection ended without a response");
        }
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /**
     * After a head sent with {@code Expect: 100-continue}: waits for the server's first answer and
     * returns 100 when it is {@code 100 Continue} (consumed whole; the final answer follows the
     * body), or the final status it answered instead (its head left unread). Throws IOException
     * when the connection ends first or the read times out.
     */
    int awaitContinue() throws IOException {
        int status = readStatus();
        if (status == 100) {
            while (!readLine().isEmpty()) {
                // headers of the interim response
            }
        }
        return status;
    }

    /** Sets how long a read waits for the server before it fails. */
    void readTimeout(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    private String readLine() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1).trim();
    }

    /**
     * The status the writer finally got: the response status, or -1 when the connection broke
     * (sending or reading) before any response came.
     */
    int finishAndReadStatus() {
        try {
            sendRest();
        } catch (IOException e) {
            // the server may already have answered and closed: read what it said
        }
        try {
            return readStatus();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SlowPut[%d/%d bytes sent]", sent, body.length);
    }
}
