package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.util.Locale;

/** Classifies the {@code x-amz-content-sha256} value a client declared. */
final class ContentSha256 {
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    private ContentSha256() {
    }

    /**
     * Returns the payload mode {@code value} declares.
     *
     * @throws S3Exception NOT_IMPLEMENTED for SigV4a streaming, INVALID_ARGUMENT for anything unknown
     */
    static PayloadMode classify(String value) {
        switch (value) {
            case UNSIGNED_PAYLOAD:
                return PayloadMode.UNSIGNED;
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD":
                return PayloadMode.STREAMING_SIGNED;
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
                return PayloadMode.STREAMING_SIGNED_TRAILER;
            case "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
                return PayloadMode.STREAMING_UNSIGNED_TRAILER;
            case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD":
            case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
                throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED,
                        "Signature Version 4A streaming payloads (" + value + ") are not supported.");
            default:
                if (AuthorizationHeader.isHex64(value)) {
                    return PayloadMode.SHA256_HEX;
                }
                throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT,
                        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER,"
                                + " STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER,"
                                + " or a valid sha256 value.",
                        java.util.Map.of("ArgumentName", "x-amz-content-sha256"));
        }
    }

    /** Returns the lower-case form of a hex payload hash, the form the body check compares with. */
    static String normalizedHex(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
