package io.s3lockproxy.auth;

import static io.s3lockproxy.PropertyCampaign.MANY;
import static io.s3lockproxy.PropertyCampaign.SOME;
import static io.s3lockproxy.PropertyCampaign.bytes;
import static io.s3lockproxy.PropertyCampaign.onlyS3Errors;
import static io.s3lockproxy.PropertyCampaign.qt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.s3lockproxy.s3.S3Exception;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Properties of {@link AwsChunkedDecoder} with bodies built independently by
 * {@link AwsChunkedBodies}: decode(encode(x)) == x for any payload, chunk size, trailer and way
 * the bytes arrive; garbage fails with an S3 error and nothing else; and a changed byte in a
 * signed body either fails or changes nothing the upstream would store.
 */
class AwsChunkedPropertyTest {
    private static final List<PayloadMode> MODES = List.of(PayloadMode.STREAMING_SIGNED,
            PayloadMode.STREAMING_SIGNED_TRAILER, PayloadMode.STREAMING_UNSIGNED_TRAILER);

    /** One body: how it was built and how it is fed. */
    record Body(PayloadMode mode, byte[] payload, int chunkSize, ChecksumAlgorithm checksum, long feedSeed) {
        byte[] encoded() {
            AwsChunkedBodies builder = AwsChunkedBodies.of(mode, payload).chunkSize(chunkSize);
            if (checksum != null) {
                builder.checksum(checksum);
            }
            return builder.build();
        }

        AwsChunkedDecoder decoder(int minChunkSize) {
            return new AwsChunkedDecoder(mode, mode.signedChunks() ? AwsChunkedBodies.CONTEXT : null, payload.length,
                    checksum, minChunkSize);
        }

        @Override
        public String toString() {
            return mode + " payload=" + payload.length + "B chunk=" + chunkSize + " checksum=" + checksum
                    + " feedSeed=" + feedSeed;
        }
    }

    private static Gen<Body> bodies(int maxPayload, int minChunk, int maxChunk) {
        Gen<PayloadMode> modes = Generate.pick(MODES);
        Gen<ChecksumAlgorithm> checksums = Generate.oneOf(Generate.constant((ChecksumAlgorithm) null),
                Generate.enumValues(ChecksumAlgorithm.class));
        return modes.zip(bytes(0, maxPayload), integers().between(minChunk, maxChunk), checksums,
                (mode, payload, chunk, checksum) -> new Body(mode, payload, chunk, mode.trailer() ? checksum : null, 0))
                .zip(integers().all(), (b, seed) -> new Body(b.mode(), b.payload(), b.chunkSize(), b.checksum(), seed));
    }

    /** Feeds {@code body} in random pieces, then finishes; returns the decoded bytes. Releases every buffer. */
    private static byte[] feed(BodyVerifier decoder, byte[] body, long seed) {
        Random random = new Random(seed);
        int maxPiece = 1 + random.nextInt(body.length + 1);
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < body.length) {
            int n = Math.min(body.length - pos, 1 + random.nextInt(maxPiece));
            ByteBuf raw = PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(body, pos, n);
            try {
                ByteBuf out = decoder.feed(raw);
                byte[] bytes = new byte[out.readableBytes()];
                out.getBytes(out.readerIndex(), bytes);
                decoded.writeBytes(bytes);
                if (out != Unpooled.EMPTY_BUFFER) {
                    out.release();
                }
            } finally {
                raw.release();
            }
            pos += n;
        }
        decoder.finish();
        return decoded.toByteArray();
    }

    @Test
    void decodingAnEncodedBodyGivesBackThePayloadAndTrailer() {
        qt(SOME).forAll(bodies(8_192, 1, 4_096)).checkAssert(body -> {
            AwsChunkedDecoder decoder = body.decoder(body.chunkSize());
            assertThat(feed(decoder, body.encoded(), body.feedSeed())).isEqualTo(body.payload());
            assertThat(decoder.decodedLength()).isEqualTo(body.payload().length);
            if (body.checksum() != null) {
                assertThat(decoder.trailers()).containsEntry(body.checksum().headerName(),
                        AwsChunkedBodies.expectedChecksum(body.checksum(), body.payload()));
            }
        });
    }

    @Test
    void withTheProductionMinimumChunkSize() {
        qt(SOME / 3).forAll(bodies(40_000, AwsChunkedDecoder.MIN_CHUNK_SIZE, 20_000)).checkAssert(body ->
                assertThat(feed(body.decoder(AwsChunkedDecoder.MIN_CHUNK_SIZE), body.encoded(), body.feedSeed()))
                        .isEqualTo(body.payload()));
    }

    @Test
    void garbageFailsWithAnS3ErrorOnly() {
        Gen<byte[]> garbage = Generate.oneOf(bytes(0, 300),
                PropertyCampaignAlphabet.chunkish().map(s -> s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        qt(MANY).forAll(Generate.pick(MODES), garbage, integers().between(0, 400), integers().all())
                .checkAssert((mode, bytes, declared, seed) -> {
                    ChecksumAlgorithm checksum = mode.trailer() ? ChecksumAlgorithm.CRC32 : null;
                    AwsChunkedDecoder decoder = new AwsChunkedDecoder(mode,
                            mode.signedChunks() ? AwsChunkedBodies.CONTEXT : null, declared, checksum, 1);
                    onlyS3Errors(() -> feed(decoder, bytes, seed));
                });
    }

    @Test
    void aChangedSignedBodyFailsOrDecodesToTheSamePayload() {
        Gen<Body> signed = bodies(4_096, 1, 2_048).assuming(b -> b.mode().signedChunks());
        qt(SOME).forAll(signed, integers().all(), integers().between(0, 3)).checkAssert((body, seed, kind) -> {
            byte[] original = body.encoded();
            byte[] changed = mutate(original, new Random(seed), kind);
            AwsChunkedDecoder decoder = body.decoder(body.chunkSize());
            byte[][] out = new byte[1][];
            S3Exception failure = onlyS3Errors(() -> out[0] = feed(decoder, changed, body.feedSeed()));
            if (failure == null) {
                assertThat(out[0]).as("a tampered signed body decoded to other bytes").isEqualTo(body.payload());
                if (body.checksum() != null) {
                    assertThat(decoder.trailers()).containsEntry(body.checksum().headerName(),
                            AwsChunkedBodies.expectedChecksum(body.checksum(), body.payload()));
                }
            }
        });
    }

    /** Flips, truncates, duplicates or inserts bytes at a random place. */
    private static byte[] mutate(byte[] body, Random random, int kind) {
        int at = random.nextInt(body.length);
        return switch (kind) {
            case 0 -> {
                byte[] copy = body.clone();
                copy[at] ^= (byte) (1 << random.nextInt(8));
                yield copy;
            }
            case 1 -> Arrays.copyOf(body, at);
            case 2 -> {
                int len = 1 + random.nextInt(Math.min(64, body.length - at));
                byte[] copy = new byte[body.length + len];
                System.arraycopy(body, 0, copy, 0, at + len);
                System.arraycopy(body, at, copy, at + len, body.length - at);
                yield copy;
            }
            default -> {
                byte[] copy = new byte[body.length + 1];
                System.arraycopy(body, 0, copy, 0, at);
                copy[at] = (byte) "0;=\r\n:a".charAt(random.nextInt(7));
                System.arraycopy(body, at, copy, at + 1, body.length - at);
                yield copy;
            }
        };
    }

    /** Text that looks like aws-chunked framing, so that garbage reaches past the first size line. */
    static final class PropertyCampaignAlphabet {
        private PropertyCampaignAlphabet() {
        }

        static Gen<String> chunkish() {
            Gen<String> token = Generate.pick(List.of("0", "1", "a", "ff", "2000", "ffffffffffffffff", "-1", ";",
                    "chunk-signature=", "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", "\r\n",
                    "\r", "\n", "x-amz-checksum-crc32:", "AAAAAA==", "x-amz-trailer-signature:", " ", "data", "\u00ff",
                    "x-amz-checksum-crc32:AAAAAA==\r\n", "0\r\n\r\n"));
            return org.quicktheories.generators.SourceDSL.lists().of(token).ofSizeBetween(0, 40)
                    .map(parts -> String.join("", parts));
        }
    }

    @Test
    void theDecoderReportsTheTrailersItChecked() {
        // A fixed example beside the properties: the trailer map holds exactly the declared checksum.
        byte[] payload = new byte[100];
        Body body = new Body(PayloadMode.STREAMING_UNSIGNED_TRAILER, payload, 64, ChecksumAlgorithm.SHA256, 1);
        AwsChunkedDecoder decoder = body.decoder(64);
        feed(decoder, body.encoded(), 1);
        assertThat(decoder.trailers()).isEqualTo(Map.of("x-amz-checksum-sha256",
                AwsChunkedBodies.expectedChecksum(ChecksumAlgorithm.SHA256, payload)));
    }
}
