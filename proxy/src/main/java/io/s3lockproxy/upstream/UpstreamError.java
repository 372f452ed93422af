package io.s3lockproxy.upstream;

import io.s3lockproxy.s3.S3ErrorCode;

/** The ways a request to the upstream can fail before its response arrives, and what the client is told. */
public enum UpstreamError {
    CONNECT_ERROR(S3ErrorCode.UPSTREAM_BAD_GATEWAY, "could not connect to the upstream"),
    READ_TIMEOUT(S3ErrorCode.UPSTREAM_TIMEOUT, "the upstream did not answer in time"),
    RESET_CONNECTION(S3ErrorCode.UPSTREAM_BAD_GATEWAY, "the upstream closed the connection"),
    TLS_ERROR(S3ErrorCode.UPSTREAM_BAD_GATEWAY, "the TLS handshake with the upstream failed"),
    TOO_MANY_CONNECTIONS(S3ErrorCode.SLOW_DOWN, "upstream.maxConnections connections to the upstream are in use");

    private final S3ErrorCode code;
    private final String description;

    UpstreamError(S3ErrorCode code, String description) {
        this.code = code;
        this.description = description;
    }

    /** Returns the S3 error the client receives. */
    public S3ErrorCode code() {
        return code;
    }

    /** Returns a short description for logs. */
    public String description() {
        return description;
    }
}
