package io.s3lockproxy.upstream;

import io.s3lockproxy.config.PayloadForwarding;

/**
 * How one request's body goes upstream.
 *
 * @param kind           what bytes are sent
 * @param contentLength  the decoded payload length (what the object will hold); -1 for {@link Kind#HTTP_CHUNKED}
 * @param trailerName    the checksum trailer re-sent upstream ({@code x-amz-checksum-crc32} …), or null
 */
public record BodyPlan(Kind kind, long contentLength, String trailerName) {

    /** What bytes are sent upstream. */
    public enum Kind {
        /** No body. */
        NONE,
        /** The decoded payload with {@code UNSIGNED-PAYLOAD} and its exact length. */
        UNSIGNED,
        /** The decoded payload re-framed as unsigned aws-chunked with the client's checksum as trailer. */
        CHUNKED_TRAILER,
        /**
         * A payload of unknown length, as the client sent it ({@code Transfer-Encoding: chunked}
         * without aws-chunked): relayed with {@code UNSIGNED-PAYLOAD} in HTTP chunks, whose final
         * empty chunk is the end the upstream commits on. Whether it takes such a body is the
         * upstream's to say (AWS S3 answers 501 NotImplemented, radosgw and S3Proxy store it).
         */
        HTTP_CHUNKED
    }

    /** The chunk size of the unsigned aws-chunked framing sent upstream (128 KiB, as the AWS SDKs send). */
    public static final int UPSTREAM_CHUNK_SIZE = 128 * 1024;

    /** A request without a body. */
    public static final BodyPlan NONE = new BodyPlan(Kind.NONE, 0, null);

    /** A body of unknown length, relayed in HTTP chunks. */
    public static final BodyPlan HTTP_CHUNKED = new BodyPlan(Kind.HTTP_CHUNKED, -1, null);

    /**
     * Returns the plan for a body of {@code decodedLength} payload bytes whose client sent the
     * checksum trailer {@code trailerName} (null when none).
     */
    public static BodyPlan choose(long decodedLength, String trailerName, PayloadForwarding forwarding) {
        if (trailerName != null && forwarding == PayloadForwarding.AUTO) {
            return new BodyPlan(Kind.CHUNKED_TRAILER, decodedLength, trailerName);
        }
        return new BodyPlan(Kind.UNSIGNED, decodedLength, null);
    }

    /** Returns the length of the base64 checksum value the trailer carries. */
    public int trailerValueLength() {
        return switch (trailerName.substring("x-amz-checksum-".length())) {
            case "crc32", "crc32c" -> 8;
            case "crc64nvme" -> 12;
            case "sha1" -> 28;
            case "sha256" -> 44;
            default -> throw new IllegalArgumentException("unsupported checksum trailer " + trailerName);
        };
    }

    /** Returns whether the length of the payload is known before it is sent. */
    public boolean lengthKnown() {
        return kind != Kind.HTTP_CHUNKED;
    }

    /**
     * Returns whether {@code signedContentLength}, the Content-Length the signed head declares, is the
     * length of the framing the proxy will send.
     */
    public boolean agreesWith(long signedContentLength) {
        if (kind != Kind.CHUNKED_TRAILER) {
            return true;
        }
        return signedContentLength == AwsChunkedEncoder.encodedLength(contentLength, UPSTREAM_CHUNK_SIZE, trailerName,
                trailerValueLength());
    }
}
