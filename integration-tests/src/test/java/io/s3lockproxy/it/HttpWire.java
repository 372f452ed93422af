package io.s3lockproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 framing for the test doubles that sit on the wire between the proxy and the backend
 * ({@link UpstreamRecorder}, {@link AtomicConditionGateway}): message heads read byte by byte and
 * bodies copied verbatim, framing included.
 */
final class HttpWire {
    static final int BUFFER = 16 * 1024;

    private HttpWire() {
    }

    /** Reads up to and including the blank line; null on a clean EOF before any byte. */
    static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("connection ended inside a message head");
            }
            head.write(b);
            if (b == "\r\n\r\n".charAt(matched)) {
                matched++;
                if (matched == 4) {
                    return head.toByteArray();
                }
            } else {
                matched = b == '\r' ? 1 : 0;
            }
        }
    }

    /** The head's lines without the blank line: the start line first, then the header lines. */
    static List<String> lines(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        return List.of(text.substring(0, text.length() - 4).split("\r\n"));
    }

    /** The header lines of a head, names in lower case (a repeated name keeps its last value). */
    static Map<String, String> headers(List<String> lines) {
        Map<String, String> headers = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    /** The status code of a response head's status line. */
    static int status(List<String> lines) {
        return Integer.parseInt(lines.get(0).split(" ")[1]);
    }

    /**
     * Copies one message body verbatim: chunked framing as it comes, or Content-Length bytes, or
     * (a response without either) everything up to EOF.
     */
    static void copyBody(InputStream in, OutputStream out, Map<String, String> headers, boolean response)
            throws IOException {
        String te = headers.get("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String sizeLine = copyLine(in, out);
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!copyLine(in, out).isEmpty()) {
                        // trailers
                    }
                    out.flush();
                    return;
                }
                copyExactly(in, out, size);
                copyLine(in, out); // CRLF after the data
            }
        }
        String length = headers.get("content-length");
        if (length != null) {
            copyExactly(in, out, Long.parseLong(length.trim()));
        } else if (response) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        }
        out.flush();
    }

    private static void copyExactly(InputStream in, OutputStream out, long count) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long left = count;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("connection ended with " + left + " body bytes to go");
            }
            out.write(buffer, 0, n);
            left -= n;
            if (in.available() == 0) {
                out.flush(); // stream: never hold bytes back while waiting for more
            }
        }
    }

    /** Copies one CRLF-terminated line and returns it without the CRLF. */
    private static String copyLine(InputStream in, OutputStream out) throws IOException {
        StringBuilder line = new StringBuilder();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection ended inside a chunk header");
            }
            out.write(b);
            if (prev == '\r' && b == '\n') {
                line.setLength(line.length() - 1);
                return line.toString();
            }
            line.append((char) b);
            prev = b;
        }
    }
}
