package io.s3lockproxy.auth;

import io.s3lockproxy.config.ClientCredential;
import io.s3lockproxy.s3.CopySource;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What each client key may do, checked after its signature: a key may be limited to a list of
 * buckets and/or to reading, and a limited key has no authority over its buckets themselves
 * unless its entry says {@code bucketAdmin: true}.
 *
 * <ul>
 *   <li>Read-only keys may send GET and HEAD requests only (objects, listings, tags…); any other
 *       method — PUT, POST (DeleteObjects, multipart uploads, SelectObjectContent), DELETE — is
 *       403 AccessDenied.</li>
 *   <li>Bucket-limited keys may address only their buckets. Every source object
 *       ({@code x-amz-copy-source}, {@code x-amz-rename-source}) must be in one of them too, or the
 *       key could copy objects out of any bucket. ListBuckets ({@code GET /}) is denied: S3 has no
 *       per-bucket filter for it, and the answer would reveal every bucket name the upstream
 *       credentials can see.</li>
 *   <li>Limited keys without {@code bucketAdmin} may not read or change bucket configuration or
 *       ACLs, create or delete buckets, nor send grant, ACL or object-lock headers (see
 *       {@link BucketAuthority}). CreateSession is denied to every limited key: the session
 *       credentials it returns reach the upstream directly, past every limit here.</li>
 * </ul>
 *
 * Thread-safe and immutable.
 */
public final class AccessPolicy {
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD");

    private final Map<String, ClientCredential> grants = new HashMap<>();

    /** A policy for the configured key pairs; a key not listed here is unrestricted. */
    public AccessPolicy(List<ClientCredential> credentials) {
        for (ClientCredential c : credentials) {
            grants.put(c.accessKey(), c);
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
        ClientCredential grant = grants.get(accessKey);
        if (grant == null || !grant.limited()) {
            return;
        }
        if (grant.readOnly() && !READ_METHODS.contains(request.method().toUpperCase(Locale.ROOT))) {
            throw denied("The access key " + accessKey + " is read-only.");
        }
        if (grant.bucketLimited()) {
            if (request.bucket() == null) {
                throw denied("The access key " + accessKey + " is limited to some buckets and may not list all buckets.");
            }
            if (!grant.buckets().contains(request.bucket())) {
                throw denied("The access key " + accessKey + " may not access bucket " + request.bucket() + ".");
            }
        }
        if (request.subresources().contains("session")) {
            throw denied("The access key " + accessKey + " is limited: CreateSession would hand out credentials"
                    + " that reach the upstream past its limits.");
        }
        if (!grant.bucketAdmin()) {
            String needed = BucketAuthority.neededFor(request);
            if (needed != null) {
                throw denied("The access key " + accessKey + " is limited and not a bucketAdmin: " + needed
                        + " needs authority over the bucket.");
            }
        }
        if (grant.bucketLimited()) {
            for (CopySource source : CopySource.of(request)) {
                if (source.arn() || !grant.buckets().contains(source.bucket())) {
                    throw denied("The access key " + accessKey + " may not read " + source.name() + " from "
                            + (source.arn() ? "an access point or Outposts ARN" : "bucket " + source.bucket()) + ".");
                }
            }
        }
    }

    private static S3Exception denied(String message) {
        return new S3Exception(S3ErrorCode.ACCESS_DENIED, message);
    }
}
