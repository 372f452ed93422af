package io.s3lockproxy.sigv4;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** URI encoding as SigV4 defines it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded, upper-case hex. */
public final class UriEncoding {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEncoding() {
    }

    /** Encodes {@code s}; a '/' stays as it is when {@code keepSlash} is set (S3 object key paths). */
    public static String encode(String s, boolean keepSlash) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (isUnreserved(c) || (keepSlash && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /**
     * Returns {@code encode(decode(raw), false)}, the canonical form of one path segment or query
     * name or value; null when an escape is malformed. Most requests arrive already in that form
     * (SDKs encode exactly so), and then {@code raw} itself is returned without decoding anything.
     */
    public static String canonical(String raw) {
        if (isCanonical(raw)) {
            return raw;
        }
        String decoded = decode(raw);
        return decoded == null ? null : encode(decoded, false);
    }

    /** Whether every character is unreserved or an upper-case escape of an ASCII byte that is not. */
    private static boolean isCanonical(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isUnreserved(c)) {
                continue;
            }
            if (c != '%' || i + 2 >= s.length()) {
                return false;
            }
            int hi = upperHexDigit(s.charAt(i + 1));
            int lo = upperHexDigit(s.charAt(i + 2));
            if (hi < 0 || lo < 0) {
                return false;
            }
            int b = (hi << 4) | lo;
            if (b >= 0x80 || isUnreserved(b)) {
                return false;
            }
            i += 2;
        }
        return true;
    }

    private static int upperHexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /**
     * Decodes percent-escapes (never '+'). Returns null when an escape is malformed.
     */
    public static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] src = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[src.length];
        int n = 0;
        for (int i = 0; i < src.length; i++) {
            byte b = src[i];
            if (b == '%') {
                if (i + 2 >= src.length) {
                    return null;
                }
                int hi = Character.digit(src[i + 1], 16);
                int lo = Character.digit(src[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else {
                out[n++] = b;
            }
        }
        try {
            // Strictly: an escape that is not UTF-8 is refused, never replaced by U+FFFD, so that two
            // different paths cannot decode (and verify) as one.
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '~';
    }
}
