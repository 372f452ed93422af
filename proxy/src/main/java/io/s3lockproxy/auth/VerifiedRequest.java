package io.s3lockproxy.auth;

/**
 * The outcome of a successful signature check.
 *
 * @param accessKey      the client's access key id
 * @param payloadMode    how the body is declared
 * @param payloadSha256  the declared hex SHA-256 when {@code payloadMode} is {@link PayloadMode#SHA256_HEX}, else null
 * @param streaming      chunk-signature context when the body has signed chunks, else null
 * @param presigned      whether the signature came in the query string
 */
public record VerifiedRequest(
        String accessKey,
        PayloadMode payloadMode,
        String payloadSha256,
        StreamingContext streaming,
        boolean presigned) {
}
