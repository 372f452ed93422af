package io.s3lockproxy.s3;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.s3lockproxy.sigv4.UriEncoding;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns an HTTP request head into an {@link S3Request}: bucket and key from a path-style or
 * virtual-host-style address, and the operation from method, query and headers.
 */
public final class RequestParser {
    /** S3's limit on an object key, in UTF-8 bytes. */
    private static final int MAX_KEY_BYTES = 1024;
    /** The methods S3 has, in the one case it accepts them. */
    private static final Set<String> S3_METHODS = Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS");
    /** Methods HTTP defines that S3 does not serve: 405, not 501. */
    private static final Set<String> OTHER_HTTP_METHODS = Set.of("PATCH", "TRACE", "CONNECT");

    private final String virtualHostDomain;

    /** Creates a parser; {@code virtualHostDomain} (or null) enables {@code bucket.domain} host names. */
    public RequestParser(String virtualHostDomain) {
        this.virtualHostDomain = virtualHostDomain == null ? null : virtualHostDomain.toLowerCase(Locale.ROOT);
    }

    /** Returns the parsed request; throws {@link S3Exception} for an address S3 could not parse. */
    public S3Request parse(HttpRequest request, String requestId) {
        String method = request.method().name();
        if (!S3_METHODS.contains(method)) {
            throw unsupported(method);
        }
        String uri = request.uri();
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? "" : uri.substring(q + 1);
        if (!rawPath.startsWith("/")) {
            throw new S3Exception(S3ErrorCode.INVALID_URI);
        }
        List<Map.Entry<String, String>> query = parseQuery(rawQuery);
        if (query == null) {
            throw new S3Exception(S3ErrorCode.INVALID_URI);
        }
        String hostBucket = bucketFromHost(request.headers().get(HttpHeaderNames.HOST));
        String bucket;
        String key;
        if (hostBucket != null) {
            bucket = addressableBucket(hostBucket);
            key = rawPath.length() > 1 ? decoded(rawPath.substring(1)) : null;
        } else {
            // The bucket is the first segment of the path as sent: an escaped '/' inside it is no separator.
            int slash = rawPath.indexOf('/', 1);
            String first = decoded(slash < 0 ? rawPath.substring(1) : rawPath.substring(1, slash));
            String rest = slash < 0 || slash == rawPath.length() - 1 ? null : decoded(rawPath.substring(slash + 1));
            if (first.isEmpty() && rest != null) {
                throw new S3Exception(S3ErrorCode.INVALID_URI, "The path names an object but no bucket.");
            }
            bucket = first.isEmpty() ? null : addressableBucket(first);
            key = rest;
        }
        if (key != null && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new S3Exception(S3ErrorCode.KEY_TOO_LONG);
        }
        S3Operation operation = OperationResolver.resolve(method, bucket, key, query, request.headers());
        return new S3Request(requestId, method, rawPath, rawQuery, query, request.headers(), bucket, key, operation,
                hostBucket != null);
    }

    /** Returns {@code raw} percent-decoded; an escape that is not UTF-8 is 400 InvalidURI. */
    private static String decoded(String raw) {
        String s = UriEncoding.decode(raw);
        if (s == null) {
            throw new S3Exception(S3ErrorCode.INVALID_URI);
        }
        return s;
    }

    /**
     * Returns {@code bucket} if every upstream reads it as the same one bucket, else throws 400
     * InvalidURI: a bucket of {@code .} or {@code ..}, or with a slash or backslash in it (escaped
     * in the path), is a path segment a server may resolve or split, and no bucket has such a name.
     */
    static String addressableBucket(String bucket) {
        if (bucket.equals(".") || bucket.equals("..") || bucket.indexOf('/') >= 0 || bucket.indexOf('\\') >= 0) {
            throw new S3Exception(S3ErrorCode.INVALID_URI, "The bucket name in the address is not valid.");
        }
        return bucket;
    }

    /**
     * A method S3 does not have — also one of its own in another case: a {@code put} must never be
     * taken for something other than a PUT, nor sent upstream as one.
     */
    private static S3Exception unsupported(String method) {
        return OTHER_HTTP_METHODS.contains(method)
                ? new S3Exception(S3ErrorCode.METHOD_NOT_ALLOWED)
                : new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, "The method " + method + " is not implemented.");
    }

    private String bucketFromHost(String host) {
        if (virtualHostDomain == null || host == null) {
            return null;
        }
        String name = host.toLowerCase(Locale.ROOT);
        int colon = name.lastIndexOf(':');
        if (colon > 0 && name.indexOf(']') < colon) {
            name = name.substring(0, colon);
        }
        String suffix = "." + virtualHostDomain;
        if (name.endsWith(suffix) && name.length() > suffix.length()) {
            // Host names are case-insensitive (and bucket names lower case): MyBucket.s3.example is "mybucket".
            return name.substring(0, name.length() - suffix.length());
        }
        return null;
    }

    /** Returns the decoded parameters of {@code rawQuery} in order, or null when an escape is malformed. */
    static List<Map.Entry<String, String>> parseQuery(String rawQuery) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = UriEncoding.decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = UriEncoding.decode(eq < 0 ? "" : pair.substring(eq + 1));
            if (name == null || value == null) {
                return null;
            }
            out.add(new SimpleImmutableEntry<>(name, value));
        }
        return out;
    }
}
