package io.s3lockproxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.s3lockproxy.auth.AwsChunkedDecoder;
import io.s3lockproxy.auth.PayloadMode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AwsChunkedEncoderTest {
    private static final int C = 8192;
    private static final String CRC32 = "x-amz-checksum-crc32";

    @BeforeAll
    static void paranoidLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    /** Returns the encoded body after feeding {@code data} in random pieces; checks every input is freed. */
    private static byte[] encode(byte[] data, int chunkSize, String trailerName, String trailerValue, long seed) {
        AwsChunkedEncoder encoder = new AwsChunkedEncoder(chunkSize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Random random = new Random(seed);
        List<ByteBuf> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            int n = Math.min(data.length - pos, 1 + random.nextInt(3 * chunkSize));
            ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(data, pos, n);
            drain(encoder.encode(in), out);
            in.release();
            inputs.add(in);
            pos += n;
        }
        drain(encoder.finish(trailerName, trailerValue), out);
        inputs.forEach(in -> assertThat(in.refCnt()).isZero());
        return out.toByteArray();
    }

    private static void drain(ByteBuf framed, ByteArrayOutputStream out) {
        byte[] bytes = new byte[framed.readableBytes()];
        framed.readBytes(bytes);
        out.writeBytes(bytes);
        framed.release();
    }

    private static byte[] payload(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, C - 1, C, C + 1, 10 * C + 7})
    void roundTripsThroughTheDecoderWithExactLength(int size) {
        byte[] data = payload(size);
        String value = "AAAAAA==";
        byte[] body = encode(data, C, null, null, size);
        assertThat((long) body.length).isEqualTo(AwsChunkedEncoder.encodedLength(size, C, null, 0));
        assertThat(decode(body, size)).isEqualTo(data);

        byte[] withTrailer = encode(data, C, CRC32, value, size + 1L);
        assertThat((long) withTrailer.length)
                .isEqualTo(AwsChunkedEncoder.encodedLength(size, C, CRC32, value.length()));
        String text = new String(withTrailer, StandardCharsets.ISO_8859_1);
        assertThat(text).endsWith("0\r\n" + CRC32 + ":" + value + "\r\n\r\n");
    }

    @Test
    void encodedLengthIsExactForManySizesAndChunkSizes() {
        for (int chunk : new int[] {1, 7, 16, 4096, 65536}) {
            for (int size : new int[] {0, 1, 2, 15, 16, 17, 255, 256, 4095, 4096, 4097, 65535, 65536, 65537, 200_003}) {
                if (chunk == 1 && size > 5000) {
                    continue;
                }
                byte[] body = encode(payload(size), chunk, CRC32, "AAAAAA==", chunk + size);
                assertThat((long) body.length).as("chunk %d size %d", chunk, size)
                        .isEqualTo(AwsChunkedEncoder.encodedLength(size, chunk, CRC32, 8));
            }
        }
    }

    @Test
    void framingIsWhatTheSdkSends() {
        byte[] body = encode("hello world".getBytes(StandardCharsets.US_ASCII), 5, null, null, 1);
        assertThat(new String(body, StandardCharsets.US_ASCII))
                .isEqualTo("5\r\nhello\r\n5\r\n worl\r\n1\r\nd\r\n0\r\n\r\n");
    }

    @Test
    void discardReleasesWhatIsHeld() {
        AwsChunkedEncoder encoder = new AwsChunkedEncoder(C);
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(100).writeBytes(new byte[100]);
        ByteBuf framed = encoder.encode(in);
        assertThat(framed.readableBytes()).isZero();
        framed.release();
        in.release();
        assertThat(in.refCnt()).isEqualTo(1);
        encoder.discard();
        assertThat(in.refCnt()).isZero();
    }

    private static byte[] decode(byte[] body, long length) {
        AwsChunkedDecoder decoder = new AwsChunkedDecoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, null, length,
                null, AwsChunkedDecoder.MIN_CHUNK_SIZE);
        ByteBuf raw = PooledByteBufAllocator.DEFAULT.directBuffer(body.length).writeBytes(body);
        ByteBuf out = decoder.feed(raw);
        byte[] bytes = new byte[out.readableBytes()];
        out.getBytes(out.readerIndex(), bytes);
        out.release();
        raw.release();
        assertThat(raw.refCnt()).isZero();
        decoder.finish();
        return bytes;
    }
}
