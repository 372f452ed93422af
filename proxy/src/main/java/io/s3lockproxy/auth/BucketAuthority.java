package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3Request;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Recognises requests that use authority over a bucket beyond reading and writing its objects:
 * bucket configuration and ACLs (reading them too), creating and deleting buckets, object ACLs,
 * retention and legal holds, and the headers that grant access or lock objects. A limited key
 * needs {@code bucketAdmin} for them.
 *
 * <p>The ordinary requests are the listed ones; anything else — a sub-resource S3 adds later
 * included — needs the authority until it is listed here.
 */
final class BucketAuthority {
    /** Sub-resources of ordinary requests on a bucket, per method; "" is the bucket itself. */
    private static final Map<String, Set<String>> BUCKET_REQUESTS = Map.of(
            "GET", Set.of("", "versions", "uploads", "location"),
            "HEAD", Set.of(""),
            "POST", Set.of("delete"));
    /** Sub-resources of ordinary requests on an object, per method; "" is the object itself. */
    private static final Map<String, Set<String>> OBJECT_REQUESTS = Map.of(
            "GET", Set.of("", "tagging", "uploadId", "attributes", "torrent"),
            "HEAD", Set.of(""),
            "PUT", Set.of("", "tagging", "uploadId", "renameObject"),
            "POST", Set.of("uploads", "uploadId", "select", "select-type"),
            "DELETE", Set.of("", "tagging", "uploadId"));
    /** Request headers that grant access to others or govern retention, by name prefix. */
    private static final List<String> AUTHORITY_HEADER_PREFIXES = List.of(
            "x-amz-grant-", "x-amz-object-lock-", "x-amz-bypass-governance-retention");
    /** Canned ACLs that grant no one but the owners anything, the default S3 applies anyway. */
    private static final Set<String> OWNER_ONLY_ACLS = Set.of("private", "bucket-owner-full-control");

    private BucketAuthority() {
    }

    /** Returns what in {@code request} needs bucket authority, for the error message; null when nothing does. */
    static String neededFor(S3Request request) {
        Map<String, Set<String>> ordinary = request.key() == null ? BUCKET_REQUESTS : OBJECT_REQUESTS;
        Set<String> allowed = ordinary.getOrDefault(request.method(), Set.of());
        Set<String> subresources = request.subresources();
        for (String s : subresources) {
            if (!allowed.contains(s)) {
                return "the " + (request.key() == null ? "bucket" : "object") + " sub-resource ?" + s;
            }
        }
        if (subresources.isEmpty() && !allowed.contains("")) {
            return request.key() != null ? request.method() + " on an object without a sub-resource"
                    : switch (request.method()) {
                        case "PUT" -> "CreateBucket";
                        case "DELETE" -> "DeleteBucket";
                        default -> request.method() + " on the bucket itself";
                    };
        }
        for (Map.Entry<String, String> h : request.headers()) {
            String why = authorityParameter(h.getKey(), h.getValue());
            if (why != null) {
                return "the header " + why;
            }
        }
        for (Map.Entry<String, String> p : request.query()) {
            String why = authorityParameter(p.getKey(), p.getValue());
            if (why != null) {
                return "the query parameter " + why;
            }
        }
        return null;
    }

    /** Returns {@code name: value} if the header (or its presigned query form) grants or locks, else null. */
    private static String authorityParameter(String name, String value) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("x-amz-acl")) {
            return OWNER_ONLY_ACLS.contains(value.trim().toLowerCase(Locale.ROOT)) ? null : n + ": " + value;
        }
        for (String prefix : AUTHORITY_HEADER_PREFIXES) {
            if (n.startsWith(prefix)) {
                return n;
            }
        }
        return null;
    }
}
