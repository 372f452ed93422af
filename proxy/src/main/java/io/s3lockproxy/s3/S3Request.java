package io.s3lockproxy.s3;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One client request as the proxy understands it: the operation and its target, plus the
 * request line and headers exactly as received (SigV4 must be checked against those bytes).
 *
 * @param requestId  the id the proxy answers with in {@code x-amz-request-id}
 * @param method     the HTTP method, upper case as received
 * @param rawPath    the path as received, still percent-encoded, without the query
 * @param rawQuery   the query as received, without '?', empty when absent
 * @param query      the decoded query parameters in received order (a name may repeat)
 * @param headers    the headers as received (names keep their case, lookups ignore it)
 * @param bucket     the bucket, or null for service-level requests (ListBuckets)
 * @param key        the decoded object key, or null for bucket-level requests
 * @param operation  the S3 operation
 * @param virtualHosted  whether the bucket came from the Host header (virtual-host style) rather than the path
 */
public record S3Request(
        String requestId,
        String method,
        String rawPath,
        String rawQuery,
        List<Map.Entry<String, String>> query,
        HttpHeaders headers,
        String bucket,
        String key,
        S3Operation operation,
        boolean virtualHosted) {

    /** A path-style request (or one without a bucket). */
    public S3Request(String requestId, String method, String rawPath, String rawQuery,
            List<Map.Entry<String, String>> query, HttpHeaders headers, String bucket, String key,
            S3Operation operation) {
        this(requestId, method, rawPath, rawQuery, query, headers, bucket, key, operation, false);
    }

    /** Returns the first value of query parameter {@code name}, or null. */
    public String queryParam(String name) {
        for (Map.Entry<String, String> e : query) {
            if (e.getKey().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Returns whether the query has parameter {@code name}, with or without a value. */
    public boolean hasQueryParam(String name) {
        return queryParam(name) != null;
    }

    /** Returns the names of the sub-resources the query selects ({@code acl}, {@code uploads}…), see {@link Subresources}. */
    public Set<String> subresources() {
        return Subresources.of(query);
    }

    /** Returns the resource named in error documents: {@code /bucket/key}, {@code /bucket} or {@code /}. */
    public String resource() {
        if (bucket == null) {
            return "/";
        }
        return key == null ? "/" + bucket : "/" + bucket + "/" + key;
    }
}
