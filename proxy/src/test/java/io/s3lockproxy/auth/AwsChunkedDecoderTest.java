package io.s3lockproxy.auth;

import static io.s3lockproxy.auth.BodyFeeder.bytewise;
import static io.s3lockproxy.auth.BodyFeeder.decode;
import static io.s3lockproxy.auth.BodyFeeder.failure;
import static io.s3lockproxy.auth.BodyFeeder.random;
import static io.s3lockproxy.auth.BodyFeeder.whole;
import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class AwsChunkedDecoderTest {
    private static final String SIG_1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    private static final String SIG_2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    private static final String SIG_FINAL = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    private static byte[] payload(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static AwsChunkedDecoder decoder(PayloadMode mode, long length, ChecksumAlgorithm trailer, int min) {
        return new AwsChunkedDecoder(mode, mode.signedChunks() ? AwsChunkedBodies.CONTEXT : null, length, trailer, min);
    }

    private static AwsChunkedDecoder decoder(PayloadMode mode, long length, ChecksumAlgorithm trailer) {
        return decoder(mode, length, trailer, AwsChunkedDecoder.MIN_CHUNK_SIZE);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] awsExampleBody() {
        String a64 = "a".repeat(65536);
        String a1 = "a".repeat(1024);
        return ascii("10000;chunk-signature=" + SIG_1 + "\r\n" + a64 + "\r\n"
                + "400;chunk-signature=" + SIG_2 + "\r\n" + a1 + "\r\n"
                + "0;chunk-signature=" + SIG_FINAL + "\r\n\r\n");
    }

    @Test
    void decodesThePublishedAwsExample() {
        byte[] body = awsExampleBody();
        assertThat(body).hasSize(66824);
        for (IntSupplier pieces : List.of(whole(), bytewise(), random(1, 9000))) {
            AwsChunkedDecoder d = decoder(PayloadMode.STREAMING_SIGNED, 66560, null);
            byte[] out = decode(d, body, pieces);
            assertThat(out).hasSize(66560).containsOnly((byte) 'a');
            assertThat(d.decodedLength()).isEqualTo(66560);
            assertThat(d.trailers()).isEmpty();
        }
    }

    @Test
    void testBodyBuilderReproducesThePublishedAwsExample() {
        byte[] built = AwsChunkedBodies.of(PayloadMode.STREAMING_SIGNED, ascii("a".repeat(66560))).build();
        assertThat(built).isEqualTo(awsExampleBody());
    }

    static Stream<Arguments> modesSizesAndChecksums() {
        List<Arguments> cases = new ArrayList<>();
        for (PayloadMode mode : List.of(PayloadMode.STREAMING_SIGNED, PayloadMode.STREAMING_SIGNED_TRAILER,
                PayloadMode.STREAMING_UNSIGNED_TRAILER)) {
            List<ChecksumAlgorithm> checksums = new ArrayList<>();
            checksums.add(null);
            if (mode.trailer()) {
                checksums.addAll(Arrays.asList(ChecksumAlgorithm.values()));
            }
            for (ChecksumAlgorithm checksum : checksums) {
                for (int chunk : new int[] {8192, 65536}) {
                    for (int size : new int[] {0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17}) {
                        cases.add(Arguments.of(mode, checksum, chunk, size));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} chunk={2} size={3}")
    @MethodSource("modesSizesAndChecksums")
    void roundTripsEveryModeAndChecksum(PayloadMode mode, ChecksumAlgorithm checksum, int chunk, int size) {
        byte[] data = payload(size);
        byte[] body = AwsChunkedBodies.of(mode, data).chunkSize(chunk).checksum(checksum).build();
        AwsChunkedDecoder d = decoder(mode, size, checksum);
        assertThat(decode(d, body, random(size, 3 * chunk))).isEqualTo(data);
        assertThat(d.decodedLength()).isEqualTo(size);
        if (checksum != null) {
            assertThat(d.trailers()).containsExactly(
                    org.assertj.core.api.Assertions.entry(checksum.headerName(),
                            AwsChunkedBodies.expectedChecksum(checksum, data)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = PayloadMode.class, names = {"STREAMING_SIGNED", "STREAMING_SIGNED_TRAILER",
            "STREAMING_UNSIGNED_TRAILER"})
    void decodesOneMebibyteChunksFedInRandomPieces(PayloadMode mode) {
        byte[] data = payload(2 * 1024 * 1024 + 5);
        ChecksumAlgorithm checksum = mode.trailer() ? ChecksumAlgorithm.CRC64NVME : null;
        byte[] body = AwsChunkedBodies.of(mode, data).chunkSize(1024 * 1024).checksum(checksum).build();
        assertThat(decode(decoder(mode, data.length, checksum), body, random(5, 70_000))).isEqualTo(data);
    }

    @ParameterizedTest
    @EnumSource(value = PayloadMode.class, names = {"STREAMING_SIGNED", "STREAMING_SIGNED_TRAILER",
            "STREAMING_UNSIGNED_TRAILER"})
    void decodesOneByteChunksFedOneByteAtATimeWhenTheMinimumAllowsIt(PayloadMode mode) {
        byte[] data = payload(300);
        ChecksumAlgorithm checksum = mode.trailer() ? ChecksumAlgorithm.CRC32C : null;
        byte[] body = AwsChunkedBodies.of(mode, data).chunkSize(1).checksum(checksum).build();
        assertThat(decode(decoder(mode, data.length, checksum, 1), body, bytewise())).isEqualTo(data);
    }

    @Test
    void signedTrailerBodyFedOneByteAtATime() {
        byte[] data = payload(20_000);
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_SIGNED_TRAILER, data).chunkSize(8192)
                .checksum(ChecksumAlgorithm.SHA256).build();
        assertThat(decode(decoder(PayloadMode.STREAMING_SIGNED_TRAILER, data.length, ChecksumAlgorithm.SHA256),
                body, bytewise())).isEqualTo(data);
    }

    @ParameterizedTest
    @EnumSource(value = PayloadMode.class, names = {"STREAMING_SIGNED", "STREAMING_SIGNED_TRAILER",
            "STREAMING_UNSIGNED_TRAILER"})
    void aChunkUnderTheMinimumBeforeTheLastIsRejected(PayloadMode mode) {
        byte[] data = payload(5);
        byte[] body = AwsChunkedBodies.of(mode, data).chunkSize(3).build();
        S3Exception e = failure(decoder(mode, 5, null), body, whole());
        assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_CHUNK_SIZE_ERROR);
        assertThat(e.code().status()).isEqualTo(403);
        assertThat(e.extra()).containsExactly(org.assertj.core.api.Assertions.entry("Chunk", "2"),
                org.assertj.core.api.Assertions.entry("BadChunkSize", "3"));
    }

    @Test
    void truncationAtAnyPointFailsAsIncompleteBody() {
        byte[] data = payload(8192 + 100);
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_SIGNED_TRAILER, data).chunkSize(8192)
                .checksum(ChecksumAlgorithm.CRC32).build();
        List<Integer> cuts = new ArrayList<>();
        for (int cut = 0; cut < body.length; cut++) {
            boolean inFirstData = cut > 90 && cut < 90 + 8180;
            if (!inFirstData || cut % 997 == 0) {
                cuts.add(cut);
            }
        }
        assertThat(cuts).hasSizeGreaterThan(300);
        for (int cut : cuts) {
            AwsChunkedDecoder d = decoder(PayloadMode.STREAMING_SIGNED_TRAILER, data.length, ChecksumAlgorithm.CRC32);
            S3Exception e = failure(d, body, cut, random(cut, 500));
            assertThat(e.code()).as("cut at %d", cut).isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
        }
    }

    @ParameterizedTest
    @EnumSource(value = PayloadMode.class, names = {"STREAMING_SIGNED", "STREAMING_UNSIGNED_TRAILER"})
    void garbledFramingIsIncompleteBody(PayloadMode mode) {
        byte[] data = payload(10_000);
        byte[] good = AwsChunkedBodies.of(mode, data).chunkSize(8192).build();
        String text = new String(good, StandardCharsets.ISO_8859_1);
        List<String> garbled = List.of(
                "g" + text.substring(1),
                text.replaceFirst("\r\n", "\n"),
                text.substring(0, text.indexOf("\r\n")) + " " + text.substring(text.indexOf("\r\n")),
                "-" + text,
                text.replace("\r\n0", "\r\nx0"),
                text.substring(0, text.length() - 2) + "\n\n");
        for (String body : garbled) {
            S3Exception e = failure(decoder(mode, data.length, null), ascii(body), random(2, 4000));
            assertThat(e.code()).isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
        }
    }

    static Stream<Arguments> tamperPositions() {
        return Stream.of(Arguments.of("first", 100), Arguments.of("middle", 8192 * 2 + 5),
                Arguments.of("last", 8192 * 4 + 10));
    }

    @ParameterizedTest(name = "{0} chunk")
    @MethodSource("tamperPositions")
    void aTamperedDataByteFailsTheChunkSignature(String where, int payloadIndex) {
        byte[] data = payload(8192 * 4 + 11);
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_SIGNED, data).chunkSize(8192).build();
        tamper(body, data, payloadIndex);
        for (IntSupplier pieces : List.of(whole(), random(9, 3000))) {
            S3Exception e = failure(decoder(PayloadMode.STREAMING_SIGNED, data.length, null), body, pieces);
            assertThat(e.code()).isEqualTo(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        }
    }

    @ParameterizedTest(name = "{0} chunk")
    @MethodSource("tamperPositions")
    void aTamperedDataByteFailsTheUnsignedTrailerChecksum(String where, int payloadIndex) {
        byte[] data = payload(8192 * 4 + 11);
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_UNSIGNED_TRAILER, data).chunkSize(8192)
                .checksum(ChecksumAlgorithm.CRC32).build();
        tamper(body, data, payloadIndex);
        S3Exception e = failure(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, data.length, ChecksumAlgorithm.CRC32),
                body, random(4, 5000));
        assertThat(e.code()).isEqualTo(S3ErrorCode.BAD_DIGEST);
        assertThat(e.getMessage()).isEqualTo("The CRC32 you specified did not match the calculated checksum.");
    }

    /** Flips the body byte that carries payload byte {@code payloadIndex} (8 KiB chunks). */
    private static void tamper(byte[] body, byte[] data, int payloadIndex) {
        int chunk = payloadIndex / 8192;
        int offset = payloadIndex % 8192;
        int pos = 0;
        for (int c = 0; c < chunk; c++) {
            pos = indexOfCrLf(body, pos) + 2 + 8192 + 2;
        }
        pos = indexOfCrLf(body, pos) + 2 + offset;
        assertThat(body[pos]).isEqualTo(data[payloadIndex]);
        body[pos] ^= 0x01;
    }

    private static int indexOfCrLf(byte[] body, int from) {
        for (int i = from; i < body.length - 1; i++) {
            if (body[i] == '\r' && body[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("no CRLF");
    }

    @Test
    void aTamperedChunkSignatureIsSignatureDoesNotMatch() {
        byte[] body = awsExampleBody();
        String text = new String(body, StandardCharsets.ISO_8859_1).replace(SIG_2, SIG_2.replace('5', '6'));
        S3Exception e = failure(decoder(PayloadMode.STREAMING_SIGNED, 66560, null), ascii(text), whole());
        assertThat(e.code()).isEqualTo(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        assertThat(e.code().status()).isEqualTo(403);
    }

    @Test
    void aMissingChunkSignatureIsIncompleteBody() {
        String text = new String(awsExampleBody(), StandardCharsets.ISO_8859_1).replace(";chunk-signature=" + SIG_2, "");
        S3Exception e = failure(decoder(PayloadMode.STREAMING_SIGNED, 66560, null), ascii(text), whole());
        assertThat(e.code()).isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
    }

    @Test
    void aTamperedTrailerSignatureIsSignatureDoesNotMatch() {
        byte[] data = payload(100);
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_SIGNED_TRAILER, data)
                .checksum(ChecksumAlgorithm.CRC32).build();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("x-amz-trailer-signature:") + "x-amz-trailer-signature:".length();
        char flipped = text.charAt(at) == '0' ? '1' : '0';
        String tampered = text.substring(0, at) + flipped + text.substring(at + 1);
        S3Exception e = failure(decoder(PayloadMode.STREAMING_SIGNED_TRAILER, 100, ChecksumAlgorithm.CRC32),
                ascii(tampered), whole());
        assertThat(e.code()).isEqualTo(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
    }

    @ParameterizedTest
    @EnumSource(value = PayloadMode.class, names = {"STREAMING_SIGNED_TRAILER", "STREAMING_UNSIGNED_TRAILER"})
    void trailerProblemsUseTheS3Codes(PayloadMode mode) {
        byte[] data = payload(100);
        ChecksumAlgorithm crc = ChecksumAlgorithm.CRC32;
        String wrongValue = AwsChunkedBodies.expectedChecksum(crc, payload(101));
        assertThat(failure(decoder(mode, 100, crc),
                AwsChunkedBodies.of(mode, data).trailer(crc.headerName(), wrongValue).build(), whole()).code())
                .isEqualTo(S3ErrorCode.BAD_DIGEST);
        assertThat(failure(decoder(mode, 100, crc),
                AwsChunkedBodies.of(mode, data).trailer(crc.headerName(), "not base64!").build(), whole()).code())
                .isEqualTo(S3ErrorCode.INVALID_REQUEST);
        assertThat(failure(decoder(mode, 100, crc),
                AwsChunkedBodies.of(mode, data).checksum(ChecksumAlgorithm.CRC32C).build(), whole()).code())
                .isEqualTo(S3ErrorCode.MALFORMED_TRAILER_ERROR);
        assertThat(failure(decoder(mode, 100, null),
                AwsChunkedBodies.of(mode, data).checksum(crc).build(), whole()).code())
                .isEqualTo(S3ErrorCode.MALFORMED_TRAILER_ERROR);
        assertThat(failure(decoder(mode, 100, crc), AwsChunkedBodies.of(mode, data).build(), whole()).code())
                .isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
    }

    @Test
    void decodedLengthMustMatchTheHeader() {
        byte[] data = payload(100);
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_UNSIGNED_TRAILER, data).build();
        assertThat(failure(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, 101, null), body, whole()).code())
                .isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
        assertThat(failure(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, 99, null), body, whole()).code())
                .isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
    }

    @Test
    void bytesAfterTheEndAreRejected() {
        byte[] body = AwsChunkedBodies.of(PayloadMode.STREAMING_UNSIGNED_TRAILER, payload(10)).build();
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        longer[body.length] = 'x';
        assertThat(failure(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, 10, null), longer, bytewise()).code())
                .isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
    }

    @Test
    void overlongLinesAreCapped() {
        byte[] sizeLine = ascii("1;" + "x".repeat(AwsChunkedDecoder.MAX_SIZE_LINE) + "\r\n");
        assertThat(failure(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, 1, null), sizeLine, random(3, 100)).code())
                .isEqualTo(S3ErrorCode.INCOMPLETE_BODY);
        byte[] trailer = ascii("0\r\nx-amz-checksum-crc32:" + "A".repeat(AwsChunkedDecoder.MAX_TRAILER) + "\r\n\r\n");
        assertThat(failure(decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, 0, ChecksumAlgorithm.CRC32), trailer,
                random(3, 100)).code()).isEqualTo(S3ErrorCode.MALFORMED_TRAILER_ERROR);
    }

    @Test
    void aFailureStaysAFailure() {
        AwsChunkedDecoder d = decoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, 10, null);
        S3Exception first = failure(d, ascii("zz\r\n"), whole());
        assertThat(failure(d, new byte[0], whole())).isSameAs(first);
    }
}
