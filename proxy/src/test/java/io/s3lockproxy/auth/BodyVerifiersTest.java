package io.s3lockproxy.auth;

import static io.s3lockproxy.auth.BodyFeeder.decode;
import static io.s3lockproxy.auth.BodyFeeder.failure;
import static io.s3lockproxy.auth.BodyFeeder.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.sigv4.Hashes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyVerifiersTest {
    private static VerifiedRequest request(PayloadMode mode, String sha256) {
        return new VerifiedRequest("AKIAIOSFODNN7EXAMPLE", mode, sha256,
                mode.signedChunks() ? AwsChunkedBodies.CONTEXT : null, AuthScheme.SIGV4_HEADER);
    }

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(nameValues[i], nameValues[i + 1]);
        }
        return headers;
    }

    @Test
    void plainModesGetThePayloadHashVerifier() {
        byte[] data = "hello".getBytes(StandardCharsets.US_ASCII);
        BodyVerifier hex = BodyVerifiers.create(
                request(PayloadMode.SHA256_HEX, Hashes.sha256Hex("hello")), headers("x-amz-checksum-crc32", "x"));
        assertThat(hex).isInstanceOf(PayloadHashVerifier.class);
        assertThat(decode(hex, data, whole())).isEqualTo(data);
        BodyVerifier unsigned = BodyVerifiers.create(request(PayloadMode.UNSIGNED, null), headers());
        assertThat(decode(unsigned, data, whole())).isEqualTo(data);
    }

    @Test
    void awsChunkedReadsTheDecodedLengthAndTrailer() {
        byte[] data = new byte[20_000];
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_SIGNED_TRAILER, data).chunkSize(8192)
                .checksum(ChecksumAlgorithm.SHA1).build();
        BodyVerifier v = BodyVerifiers.create(request(PayloadMode.STREAMING_SIGNED_TRAILER, null),
                headers("X-Amz-Decoded-Content-Length", "20000", "X-Amz-Trailer", "x-amz-checksum-sha1"));
        assertThat(decode(v, body, whole())).isEqualTo(data);
        assertThat(v.trailers()).containsKey("x-amz-checksum-sha1");
    }

    @Test
    void theMinimumChunkSizeApplies() {
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_UNSIGNED_TRAILER, new byte[10]).chunkSize(5).build();
        BodyVerifier v = BodyVerifiers.create(request(PayloadMode.STREAMING_UNSIGNED_TRAILER, null),
                headers("x-amz-decoded-content-length", "10"));
        assertThat(failure(v, body, whole()).code()).isEqualTo(S3ErrorCode.INVALID_CHUNK_SIZE_ERROR);
    }

    @Test
    void headerProblemsAreS3Errors() {
        assertThatThrownBy(() -> BodyVerifiers.create(request(PayloadMode.STREAMING_SIGNED, null), headers()))
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.MISSING_CONTENT_LENGTH));
        assertThatThrownBy(() -> BodyVerifiers.create(request(PayloadMode.STREAMING_SIGNED, null),
                headers("x-amz-decoded-content-length", "-1")))
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> BodyVerifiers.create(request(PayloadMode.STREAMING_UNSIGNED_TRAILER, null),
                headers("x-amz-decoded-content-length", "1", "x-amz-trailer", "x-amz-checksum-md5")))
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_REQUEST));
    }
}
