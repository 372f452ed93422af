package io.s3lockproxy.s3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the fields of a browser-form upload ({@code multipart/form-data}, POST Object) up to the
 * start of its {@code file} part, which S3 requires to be the last one. Only those fields are
 * buffered, at most {@link #MAX_FIELDS_BYTES}; the file's content that came with them is handed on
 * to be streamed, never kept. One instance per request, used from one thread.
 */
public final class PostFormReader {
    /** The most bytes of form before the file's content, as S3 allows (MaxPostPreDataLengthExceeded). */
    public static final int MAX_FIELDS_BYTES = 20 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] BLANK_LINE = {'\r', '\n', '\r', '\n'};

    private final byte[] delimiter;
    private final byte[] closeDelimiter;
    private byte[] buffer = new byte[1024];
    private int length;
    private int scanned;
    private boolean started;
    private final Map<String, String> fields = new LinkedHashMap<>();
    private String fileName;
    private int fileStart = -1;

    /** @param boundary the boundary parameter of the request's Content-Type */
    public PostFormReader(String boundary) {
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.closeDelimiter = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Returns the boundary of a {@code multipart/form-data} Content-Type.
     *
     * @throws S3Exception 400 MalformedPOSTRequest for any other content type, or one without a usable boundary
     */
    public static String boundaryOf(String contentType) {
        if (contentType == null) {
            throw malformed("A POST Object request must be multipart/form-data.");
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("multipart/form-data")) {
            throw malformed("A POST Object request must be multipart/form-data.");
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int eq = parameter.indexOf('=');
            if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                String value = unquote(parameter.substring(eq + 1).trim());
                // RFC 2046 section 5.1.1: 1 to 70 characters.
                if (value.isEmpty() || value.length() > 70 || value.endsWith(" ")
                        || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                    break;
                }
                return value;
            }
        }
        throw malformed("The multipart/form-data Content-Type has no valid boundary.");
    }

    /**
     * Takes the next bytes of the body (the caller keeps {@code piece}); returns true once the
     * {@code file} part has begun, after which {@link #fields()}, {@link #fileName()},
     * {@link #fieldsLength()} and {@link #takeFileBytes()} tell what was read.
     *
     * @throws S3Exception 400 when the form is malformed or its fields exceed {@link #MAX_FIELDS_BYTES}
     */
    public boolean add(ByteBuf piece) {
        if (fileStart >= 0) {
            throw new IllegalStateException("the form's fields are complete");
        }
        int n = Math.min(piece.readableBytes(), MAX_FIELDS_BYTES + BLANK_LINE.length - length);
        ensureRoom(n);
        piece.getBytes(piece.readerIndex(), buffer, length, n);
        length += n;
        boolean done = parse();
        if (!done && length > MAX_FIELDS_BYTES) {
            throw new S3Exception(S3ErrorCode.MAX_POST_PRE_DATA_LENGTH_EXCEEDED);
        }
        if (done) {
            // Whatever of this piece did not fit the buffer is the file's content too.
            int rest = piece.readableBytes() - n;
            if (rest > 0) {
                ensureRoom(rest);
                piece.getBytes(piece.readerIndex() + n, buffer, length, rest);
                length += rest;
            }
        }
        return done;
    }

    /** Returns the fields before the file, by lower-case name, in the order sent. */
    public Map<String, String> fields() {
        return fields;
    }

    /** Returns the file part's filename parameter, or "" when it has none. */
    public String fileName() {
        return fileName;
    }

    /** Returns the number of body bytes before the file's content. */
    public int fieldsLength() {
        return fileStart;
    }

    /** Returns the file's bytes read so far (possibly empty); the caller releases them. */
    public ByteBuf takeFileBytes() {
        ByteBuf out = Unpooled.copiedBuffer(buffer, fileStart, length - fileStart);
        buffer = null;
        return out;
    }

    /** Returns the bytes that end a well-formed form after its file's content: the close delimiter. */
    public byte[] closeDelimiter() {
        return closeDelimiter.clone();
    }

    /** Parses whole parts from {@link #scanned}; returns true when the file part's headers are read. */
    private boolean parse() {
        if (!started) {
            // The first delimiter may open the body (no preamble), so it is searched without its CRLF.
            int first = indexOf(delimiter, 2, 0);
            if (first < 0 || first + delimiter.length - 2 + 2 > length) {
                return false;
            }
            scanned = first + delimiter.length - 2;
            started = true;
        }
        while (true) {
            // At scanned: just past a delimiter. "--" ends the form; CRLF starts a part.
            if (length - scanned < 2) {
                return false;
            }
            if (buffer[scanned] == '-' && buffer[scanned + 1] == '-') {
                throw new S3Exception(S3ErrorCode.INCORRECT_NUMBER_OF_FILES_IN_POST_REQUEST);
            }
            int lineEnd = indexOf(CRLF, 0, scanned);
            if (lineEnd < 0) {
                return false;
            }
            int headersEnd = indexOf(BLANK_LINE, 0, lineEnd);
            if (headersEnd < 0) {
                return false;
            }
            String name = null;
            String file = null;
            for (String header : new String(buffer, lineEnd + 2, headersEnd - lineEnd - 2, StandardCharsets.UTF_8)
                    .split("\r\n")) {
                int colon = header.indexOf(':');
                if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                    Map<String, String> disposition = dispositionParameters(header.substring(colon + 1));
                    name = disposition.get("name");
                    file = disposition.get("filename");
                }
            }
            if (name == null) {
                throw malformed("A part of the form has no Content-Disposition name.");
            }
            int contentStart = headersEnd + BLANK_LINE.length;
            if (name.equalsIgnoreCase("file")) {
                fileName = file == null ? "" : file;
                fileStart = contentStart;
                return true;
            }
            int contentEnd = indexOf(delimiter, 0, contentStart);
            if (contentEnd < 0) {
                return false;
            }
            String key = name.toLowerCase(Locale.ROOT);
            if (fields.containsKey(key)) {
                throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The form field " + name + " was sent more than once.");
            }
            fields.put(key, new String(buffer, contentStart, contentEnd - contentStart, StandardCharsets.UTF_8));
            scanned = contentEnd + delimiter.length;
        }
    }

    /** The name and filename parameters of a {@code form-data} disposition (quoted or not). */
    private static Map<String, String> dispositionParameters(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = value.indexOf(';');
        if (i < 0 || !value.substring(0, i).trim().equalsIgnoreCase("form-data")) {
            throw malformed("A part of the form is not form-data.");
        }
        while (i < value.length()) {
            i++;
            int eq = value.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = value.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            int j = eq + 1;
            while (j < value.length() && value.charAt(j) == ' ') {
                j++;
            }
            StringBuilder v = new StringBuilder();
            if (j < value.length() && value.charAt(j) == '"') {
                j++;
                while (j < value.length() && value.charAt(j) != '"') {
                    char c = value.charAt(j++);
                    if (c == '\\' && j < value.length()) {
                        c = value.charAt(j++);
                    }
                    v.append(c);
                }
                if (j >= value.length()) {
                    throw malformed("A quoted Content-Disposition parameter is not closed.");
                }
                j++;
                int next = value.indexOf(';', j);
                i = next < 0 ? value.length() : next;
            } else {
                int next = value.indexOf(';', j);
                i = next < 0 ? value.length() : next;
                v.append(value, j, i);
            }
            out.putIfAbsent(name, v.toString().trim());
        }
        return out;
    }

    private int indexOf(byte[] pattern, int skip, int from) {
        int m = pattern.length - skip;
        outer:
        for (int i = from; i <= length - m; i++) {
            for (int k = 0; k < m; k++) {
                if (buffer[i + k] != pattern[skip + k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void ensureRoom(int n) {
        if (length + n > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
        }
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static S3Exception malformed(String message) {
        return new S3Exception(S3ErrorCode.MALFORMED_POST_REQUEST, message);
    }
}
