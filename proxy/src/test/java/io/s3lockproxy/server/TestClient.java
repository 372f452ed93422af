package io.s3lockproxy.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** A raw HTTP/1.1 client on one socket, sending requests signed by the AWS SDK's SigV4 signer. */
final class TestClient implements AutoCloseable {
    static final String ACCESS_KEY = "client-key";
    static final String SECRET_KEY = "client-secret";
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    /** A response as the client read it. */
    record Response(int status, Map<String, String> headers, byte[] body, boolean chunked) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    TestClient(int port) throws IOException {
        this.port = port;
        this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Returns the request head (no body) signed for {@code payloadHashOf}, with {@code extra} headers added after signing. */
    String signedHead(String method, String pathAndQuery, Map<String, String> headers, byte[] payloadHashOf,
                      Map<String, String> extra) {
        URI uri = URI.create("http://127.0.0.1:" + port + pathAndQuery);
        SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach(b::putHeader);
        SdkHttpRequest signed = SIGNER.sign(r -> r
                .identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET_KEY))
                .request(b.build())
                .payload(payloadHashOf == null ? null : ContentStreamProvider.fromByteArray(payloadHashOf))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true)).request();
        StringBuilder head = new StringBuilder(method).append(' ').append(signed.encodedPath());
        signed.encodedQueryParameters().ifPresent(q -> head.append('?').append(q));
        head.append(" HTTP/1.1\r\n");
        if (signed.firstMatchingHeader("Host").isEmpty()) {
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        signed.forEachHeader((name, values) -> values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n")));
        extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        return head.append("\r\n").toString();
    }

    /** Sends a signed request with {@code body} (Content-Length set) and reads the response. */
    Response exchange(String method, String pathAndQuery, byte[] body) throws IOException {
        return exchange(method, pathAndQuery, body, Map.of());
    }

    /** Sends a signed request with {@code body} and the signed {@code headers}, and reads the response. */
    Response exchange(String method, String pathAndQuery, byte[] body, Map<String, String> headers) throws IOException {
        Map<String, String> h = new java.util.HashMap<>(headers);
        if (body.length > 0 || method.equals("PUT")) {
            h.put("Content-Length", Integer.toString(body.length));
        }
        send(signedHead(method, pathAndQuery, h, body, Map.of()));
        out.write(body);
        out.flush();
        return read(method.equals("HEAD"));
    }

    void send(String head) throws IOException {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response; a HEAD response has no body whatever its Content-Length says. */
    Response read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || status == 100 || status == 204 || status == 304) {
            return new Response(status, headers, new byte[0], false);
        }
        if (chunked) {
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            for (String l = line(); l != null && !l.isEmpty(); l = line()) {
                // trailers
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toByteArray(), chunked);
    }

    /** Returns whether the server closed the connection (EOF or reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Returns whether a byte is ready within {@code ms} (the connection neither closed nor answered). */
    boolean nothingArrivesWithin(int ms) throws IOException {
        socket.setSoTimeout(ms);
        try {
            in.mark(1);
            int c = in.read();
            in.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n' && prev == '\r') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            prev = c;
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
