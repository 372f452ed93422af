package io.s3lockproxy.sigv4;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Builds the SigV4 canonical request the way S3 defines it.
 *
 * <p>S3 differs from the generic SigV4 algorithm in two ways: the path is never normalized (no
 * removal of {@code .}, {@code ..} or repeated {@code /}), and each path segment is URI-encoded
 * once, not twice. Everything is rebuilt from the request as received: the raw path and query
 * are decoded and re-encoded per segment and parameter, and header values are taken exactly as
 * they arrived, never re-cased or normalized by an HTTP library.
 */
public final class CanonicalRequest {
    /** The query parameter that carries a presigned request's signature; it is never signed itself. */
    public static final String SIGNATURE_PARAM = "X-Amz-Signature";

    private CanonicalRequest() {
    }

    /**
     * Returns the canonical request.
     *
     * @param method         the HTTP method as received
     * @param rawPath        the path as received, still percent-encoded, without the query
     * @param rawQuery       the query as received, without '?', empty or null when absent
     * @param presigned      whether to leave out {@value #SIGNATURE_PARAM} (query-string signing)
     * @param headerValues   every value of a header, looked up by lower-case name, in received order;
     *                       an empty list when the header is absent
     * @param signedHeaders  the signed header names, lower case and sorted
     * @param payloadHash    the payload hash line (hex SHA-256, {@code UNSIGNED-PAYLOAD}, …)
     * @throws IllegalArgumentException when the path or query holds a malformed percent-escape
     */
    public static String build(String method, String rawPath, String rawQuery, boolean presigned,
            Function<String, List<String>> headerValues, List<String> signedHeaders, String payloadHash) {
        return method + '\n'
                + canonicalUri(rawPath) + '\n'
                + canonicalQuery(rawQuery, presigned) + '\n'
                + canonicalHeaders(headerValues, signedHeaders) + '\n'
                + String.join(";", signedHeaders) + '\n'
                + payloadHash;
    }

    /**
     * Returns the canonical URI: each '/'-separated segment of {@code rawPath} decoded and encoded
     * once, slashes and dot segments kept as they are; {@code /} for an empty path.
     */
    public static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(rawPath.length() + 16);
        int start = 0;
        while (true) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? rawPath.length() : slash;
            // Segment by segment, so that an escaped %2F inside a key stays escaped.
            out.append(canonicalOrThrow(rawPath.substring(start, end)));
            if (slash < 0) {
                break;
            }
            out.append('/');
            start = slash + 1;
        }
        return out.toString();
    }

    /**
     * Returns the canonical query string: every parameter decoded and re-encoded, a missing value
     * as empty, sorted by encoded name then encoded value; {@value #SIGNATURE_PARAM} is left out
     * when {@code presigned} is set.
     */
    public static String canonicalQuery(String rawQuery, boolean presigned) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> params = new ArrayList<>();
        for (String part : rawQuery.split("&", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            // Encoding is one-to-one and leaves the parameter's unreserved name as it is, so the encoded
            // name equals it exactly when the decoded one does.
            String name = canonicalOrThrow(eq < 0 ? part : part.substring(0, eq));
            String value = eq < 0 ? "" : canonicalOrThrow(part.substring(eq + 1));
            if (presigned && name.equals(SIGNATURE_PARAM)) {
                continue;
            }
            params.add(new String[] {name, value});
        }
        params.sort((a, b) -> {
            int byName = a[0].compareTo(b[0]);
            return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
        StringBuilder out = new StringBuilder(rawQuery.length() + 16);
        for (String[] p : params) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /**
     * Returns the canonical headers block: one {@code name:value\n} line per signed header, values
     * trimmed, runs of spaces collapsed to one, repeated headers joined by ','.
     */
    public static String canonicalHeaders(Function<String, List<String>> headerValues, List<String> signedHeaders) {
        StringBuilder out = new StringBuilder(256);
        for (String name : signedHeaders) {
            String lower = name.toLowerCase(Locale.ROOT);
            out.append(lower).append(':');
            List<String> values = headerValues.apply(lower);
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                appendTrimmed(out, values.get(i));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Appends {@code value} trimmed, with each run of spaces (and folded line breaks) as one space. */
    private static void appendTrimmed(StringBuilder out, String value) {
        boolean pendingSpace = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                pendingSpace = any;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
                any = true;
            }
        }
    }

    private static String canonicalOrThrow(String s) {
        String canonical = UriEncoding.canonical(s);
        if (canonical == null) {
            throw new IllegalArgumentException("malformed percent-escape");
        }
        return canonical;
    }
}
