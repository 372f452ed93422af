package io.s3lockproxy.auth;

import java.util.HashSet;
import java.util.Set;

/** How a client request authenticated itself, and which of its query parameters belong to that. */
public enum AuthScheme {
    /** SigV4 in the {@code Authorization} header. */
    SIGV4_HEADER(false, Set.of()),
    /** SigV4 in the query string ({@code X-Amz-Signature} & co.): a presigned URL. */
    SIGV4_PRESIGNED(true, Set.of("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
            "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token")),
    /** Signature Version 2 in the {@code Authorization: AWS AccessKeyId:Signature} header. */
    SIGV2_HEADER(false, Set.of()),
    /** Signature Version 2 in the query string ({@code AWSAccessKeyId}, {@code Expires}, {@code Signature}). */
    SIGV2_PRESIGNED(true, Set.of("AWSAccessKeyId", "Expires", "Signature", "x-amz-security-token")),
    /**
     * A browser-form upload (POST Object) whose policy document is signed in its form fields, with
     * SigV4 ({@code x-amz-signature}) or SigV2 ({@code signature}).
     */
    POST_POLICY(false, Set.of()),
    /**
     * No signature at all, accepted because {@code auth.anonymous} is {@code forward}: the request
     * must reach the upstream unsigned (never re-signed with the upstream credentials), so that
     * the upstream's public-access rules decide and the proxy adds no authority.
     */
    ANONYMOUS(false, Set.of()),
    /**
     * A CORS preflight ({@code OPTIONS}): never authenticated, it goes upstream unsigned like an
     * anonymous request, without the signature parameters of a presigned URL it was sent to (signed
     * with a client key, they would only make the upstream check a signature it cannot verify).
     */
    PREFLIGHT(false, union(SIGV4_PRESIGNED.clientQueryParameters, SIGV2_PRESIGNED.clientQueryParameters));

    private final boolean presigned;
    private final Set<String> clientQueryParameters;

    AuthScheme(boolean presigned, Set<String> clientQueryParameters) {
        this.presigned = presigned;
        this.clientQueryParameters = clientQueryParameters;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** Returns whether the signature came in the query string. */
    public boolean presigned() {
        return presigned;
    }

    /**
     * Returns the query parameter names (case-sensitive) that carry the client's own signature
     * and must not reach the upstream: the proxy's signature replaces them.
     */
    public Set<String> clientQueryParameters() {
        return clientQueryParameters;
    }
}
