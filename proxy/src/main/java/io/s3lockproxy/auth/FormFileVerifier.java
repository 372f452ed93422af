package io.s3lockproxy.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.util.Map;

/**
 * The rest of a browser-form upload's body after its fields: the file's content, whose length
 * follows from the request's Content-Length, then the form's close delimiter and nothing else (S3
 * requires the file to be the last field). The content must not contain the boundary's delimiter
 * (RFC 2046 section 5.1.1): where it does, another part follows the file. Yields the content; a
 * body that breaks either rule fails before its last byte is yielded, so the upstream never gets
 * the whole file.
 */
public final class FormFileVerifier implements BodyVerifier {
    private final long contentLength;
    private final byte[] closeDelimiter;
    /** {@code CRLF--boundary}, searched for in the content (Knuth-Morris-Pratt). */
    private final byte[] delimiter;
    private final int[] fallback;
    private int matched;
    private long seen;

    /**
     * @param contentLength   the file's length: the body's length less the fields and the close delimiter
     * @param closeDelimiter  the bytes that must follow the content, {@code CRLF--boundary--CRLF}
     */
    public FormFileVerifier(long contentLength, byte[] closeDelimiter) {
        this.contentLength = contentLength;
        this.closeDelimiter = closeDelimiter.clone();
        this.delimiter = java.util.Arrays.copyOf(closeDelimiter, closeDelimiter.length - "--\r\n".length());
        this.fallback = fallback(delimiter);
    }

    private static int[] fallback(byte[] pattern) {
        int[] f = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = f[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            f[i] = k;
        }
        return f;
    }

    private boolean scanForDelimiter(byte b) {
        while (matched > 0 && b != delimiter[matched]) {
            matched = fallback[matched - 1];
        }
        if (b == delimiter[matched]) {
            matched++;
        }
        return matched == delimiter.length;
    }

    @Override
    public ByteBuf feed(ByteBuf raw) {
        int n = raw.readableBytes();
        int content = (int) Math.max(0, Math.min(n, contentLength - seen));
        if (content > 0 && raw.forEachByte(raw.readerIndex(), content, b -> !scanForDelimiter(b)) >= 0) {
            throw notLastField();
        }
        for (int i = content; i < n; i++) {
            long at = seen + i - contentLength;
            if (at >= closeDelimiter.length || raw.getByte(raw.readerIndex() + i) != closeDelimiter[(int) at]) {
                throw notLastField();
            }
        }
        seen += n;
        return content == 0 ? Unpooled.EMPTY_BUFFER : raw.retainedSlice(raw.readerIndex(), content);
    }

    @Override
    public void finish() {
        if (seen != contentLength + closeDelimiter.length) {
            throw notLastField();
        }
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }

    @Override
    public long decodedLength() {
        return Math.min(seen, contentLength);
    }

    private static S3Exception notLastField() {
        return new S3Exception(S3ErrorCode.MALFORMED_POST_REQUEST, "The form must end with its file field, followed"
                + " only by the closing boundary.");
    }
}
