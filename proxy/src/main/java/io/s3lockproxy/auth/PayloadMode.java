package io.s3lockproxy.auth;

/** How the client declared its payload in {@code x-amz-content-sha256}. */
public enum PayloadMode {
    /** A hex SHA-256 of the whole body, checked while it streams. */
    SHA256_HEX(false, false, false),
    /** {@code UNSIGNED-PAYLOAD}: no body check. */
    UNSIGNED(false, false, false),
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}: aws-chunked, every chunk signed. */
    STREAMING_SIGNED(true, true, false),
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER}: signed chunks and a signed trailer. */
    STREAMING_SIGNED_TRAILER(true, true, true),
    /** {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}: aws-chunked, no chunk signatures, optional checksum trailer. */
    STREAMING_UNSIGNED_TRAILER(true, false, true);

    private final boolean awsChunked;
    private final boolean signedChunks;
    private final boolean trailer;

    PayloadMode(boolean awsChunked, boolean signedChunks, boolean trailer) {
        this.awsChunked = awsChunked;
        this.signedChunks = signedChunks;
        this.trailer = trailer;
    }

    /** Returns whether the body is aws-chunked framing that must be decoded. */
    public boolean awsChunked() {
        return awsChunked;
    }

    /** Returns whether each chunk carries a signature to check. */
    public boolean signedChunks() {
        return signedChunks;
    }

    /** Returns whether the body may end with trailing headers. */
    public boolean trailer() {
        return trailer;
    }
}
