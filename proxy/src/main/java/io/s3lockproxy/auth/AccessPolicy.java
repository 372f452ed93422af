package io.s3lockproxy.auth;

import io.s3lockproxy.config.ClientCredential;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What each client key may do, checked after its signature: a key may be limited to a list of
 * buckets and/or to reading.
 *
 * <ul>
 *   <li>Read-only keys may send GET and HEAD requests only (objects, listings, ACLs, tags…); any
 *       other method — PUT, POST (DeleteObjects, multipart uploads, SelectObjectContent), DELETE —
 *       is 403 AccessDenied.</li>
 *   <li>Bucket-limited keys may address only their buckets. A copy ({@code x-amz-copy-source}) must
 *       read from one of them too, or the key could copy objects out of any bucket. ListBuckets
 *       ({@code GET /}) is denied: S3 has no per-bucket filter for it, and the answer would reveal
 *       every bucket name the upstream credentials can see.</li>
 * </ul>
 *
 * Thread-safe and immutable.
 */
public final class AccessPolicy {
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD");

    private final Map<String, Grant> grants = new HashMap<>();

    private record Grant(Set<String> buckets, boolean readOnly) {
    }

    /** A policy for the configured key pairs; a key not listed here is unrestricted. */
    public AccessPolicy(List<ClientCredential> credentials) {
        for (ClientCredential c : credentials) {
            grants.put(c.accessKey(), new Grant(Set.copyOf(c.buckets()), c.readOnly()));
        }
    }

    /** A policy that allows everything (tests, and keys without limits). */
    public static AccessPolicy allowAll() {
        return new AccessPolicy(List.of());
    }

    /**
     * Throws {@link S3ErrorCode#ACCESS_DENIED} unless {@code accessKey} (already verified) may make
     * {@code request}. A null key (an anonymous request, {@link VerifiedRequest#anonymous()}) is
     * always denied here: no key's grant covers it, and the proxy may only forward it unsigned,
     * which is the caller's decision, never a policy's.
     */
    public void check(String accessKey, S3Request request) {
        if (accessKey == null) {
            throw denied("Anonymous requests carry no access key: they are forwarded unsigned or refused,"
                    + " never signed with the proxy's upstream credentials.");
        }
        Grant grant = grants.get(accessKey);
        if (grant == null) {
            return;
        }
        if (grant.readOnly() && !READ_METHODS.contains(request.method().toUpperCase(Locale.ROOT))) {
            throw denied("The access key " + accessKey + " is read-only.");
        }
        if (grant.buckets().isEmpty()) {
            return;
        }
        if (request.bucket() == null) {
            throw denied("The access key " + accessKey + " is limited to some buckets and may not list all buckets.");
        }
        if (!grant.buckets().contains(request.bucket())) {
            throw denied("The access key " + accessKey + " may not access bucket " + request.bucket() + ".");
        }
        String copySource = request.headers().get("x-amz-copy-source");
        if (copySource == null) {
            copySource = request.queryParam("x-amz-copy-source");
        }
        if (copySource != null) {
            String sourceBucket = sourceBucket(copySource);
            if (sourceBucket == null || !grant.buckets().contains(sourceBucket)) {
                throw denied("The access key " + accessKey + " may not copy from "
                        + (sourceBucket == null ? "that source" : "bucket " + sourceBucket) + ".");
            }
        }
    }

    /** Returns the bucket of a copy source ({@code /bucket/key}, {@code bucket/key?versionId=…}), or null for an ARN or garbage. */
    static String sourceBucket(String copySource) {
        String s = copySource.trim();
        if (s.startsWith("/")) {
            s = s.substring(1);
        }
        int slash = s.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String bucket;
        try {
            bucket = URLDecoder.decode(s.substring(0, slash).replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // Access point and Outposts ARNs name no bucket of ours.
        return bucket.startsWith("arn:") || bucket.contains(":") ? null : bucket;
    }

    private static S3Exception denied(String message) {
        return new S3Exception(S3ErrorCode.ACCESS_DENIED, message);
    }
}
