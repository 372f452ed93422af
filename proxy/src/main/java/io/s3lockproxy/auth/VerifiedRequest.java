package io.s3lockproxy.auth;

/**
 * The outcome of a successful authentication.
 *
 * <p>For {@link AuthScheme#ANONYMOUS} there is no client key: {@code accessKey} is null, and such
 * a request must be forwarded without the proxy's signature (see {@link #anonymous()}).
 *
 * @param accessKey      the client's access key id, or null for an anonymous request
 * @param payloadMode    how the body is declared
 * @param payloadSha256  the declared hex SHA-256 when {@code payloadMode} is {@link PayloadMode#SHA256_HEX}, else null
 * @param streaming      chunk-signature context when the body has signed chunks, else null
 * @param scheme         how the request authenticated itself
 */
public record VerifiedRequest(
        String accessKey,
        PayloadMode payloadMode,
        String payloadSha256,
        StreamingContext streaming,
        AuthScheme scheme) {

    /** Returns whether the signature came in the query string (a presigned URL, SigV4 or SigV2). */
    public boolean presigned() {
        return scheme.presigned();
    }

    /**
     * Returns whether the request carried no signature and {@code auth.anonymous: forward} let it
     * through. It has no access key, so no client-key policy applies to it, and it must go
     * upstream unsigned: signing it with the upstream credentials would lend it their authority.
     */
    public boolean anonymous() {
        return scheme == AuthScheme.ANONYMOUS || scheme == AuthScheme.PREFLIGHT;
    }
}
