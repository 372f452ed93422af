package io.s3lockproxy.auth;

import io.netty.handler.codec.http.HttpHeaders;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;

/** Chooses the {@link BodyVerifier} for a request from its payload mode and headers. */
public final class BodyVerifiers {
    static final String DECODED_CONTENT_LENGTH = "x-amz-decoded-content-length";
    static final String TRAILER = "x-amz-trailer";

    private BodyVerifiers() {
    }

    /**
     * Returns the verifier for the body of {@code request}.
     *
     * <p>A plain body with an {@code x-amz-checksum-*} header is not checked here: the upstream
     * checks that header against the body itself.
     *
     * @throws S3Exception when an aws-chunked request lacks or garbles the headers its body needs
     */
    public static BodyVerifier create(VerifiedRequest request, HttpHeaders headers) {
        PayloadMode mode = request.payloadMode();
        return switch (mode) {
            case SHA256_HEX -> PayloadHashVerifier.sha256(request.payloadSha256());
            case UNSIGNED -> PayloadHashVerifier.unsigned();
            case STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER -> new AwsChunkedDecoder(
                    mode, request.streaming(), decodedLength(headers), trailerChecksum(mode, headers),
                    AwsChunkedDecoder.MIN_CHUNK_SIZE);
        };
    }

    private static long decodedLength(HttpHeaders headers) {
        String value = headers.get(DECODED_CONTENT_LENGTH);
        if (value == null) {
            throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
        }
        try {
            long length = Long.parseLong(value.strip());
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid x-amz-decoded-content-length: " + value);
    }

    private static ChecksumAlgorithm trailerChecksum(PayloadMode mode, HttpHeaders headers) {
        String value = headers.get(TRAILER);
        if (!mode.trailer() || value == null || value.isBlank()) {
            return null;
        }
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromHeaderName(value);
        if (algorithm == null) {
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST,
                    "The value specified in the x-amz-trailer header is not supported");
        }
        return algorithm;
    }
}
