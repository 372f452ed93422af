package io.s3lockproxy.s3;

import io.s3lockproxy.sigv4.UriEncoding;

/**
 * The encoded form of an object key in a path or a copy source, such that no server reads it as
 * another key or bucket. S3 takes a key literally ({@code a/../b} is a key of its own), but HTTP
 * servers and proxies in front of other stores resolve dot segments: {@code /bucket/../other/key}
 * would reach bucket {@code other}. So a segment that is {@code .} or {@code ..} — between slashes
 * or backslashes, which some servers also split on — is sent with its dots escaped ({@code %2E}),
 * which S3 decodes to the same key; everything else is encoded as SigV4 does, slashes kept.
 */
public final class ObjectKeyPath {
    private ObjectKeyPath() {
    }

    /** Returns the encoded path of {@code key}. */
    public static String encode(String key) {
        StringBuilder out = new StringBuilder(key.length() + 16);
        int start = 0;
        for (int i = 0; i <= key.length(); i++) {
            char c = i < key.length() ? key.charAt(i) : '/';
            if (c != '/' && c != '\\') {
                continue;
            }
            String segment = key.substring(start, i);
            out.append(isDotSegment(segment) ? segment.replace(".", "%2E") : UriEncoding.encode(segment, false));
            if (i < key.length()) {
                out.append(c == '/' ? "/" : "%5C");
            }
            start = i + 1;
        }
        return out.toString();
    }

    private static boolean isDotSegment(String segment) {
        return segment.equals(".") || segment.equals("..");
    }
}
