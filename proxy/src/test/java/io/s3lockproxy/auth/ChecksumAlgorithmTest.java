package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChecksumAlgorithmTest {
    private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

    private static String base64OfHex(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    private static String checksum(ChecksumAlgorithm algorithm, byte[] data) {
        RunningChecksum c = algorithm.newChecksum();
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        c.update(buf);
        buf.release();
        return c.base64();
    }

    @Test
    void checkValuesOfTheCatalogue() throws Exception {
        assertThat(checksum(ChecksumAlgorithm.CRC32, CHECK)).isEqualTo(base64OfHex("cbf43926"));
        assertThat(checksum(ChecksumAlgorithm.CRC32C, CHECK)).isEqualTo(base64OfHex("e3069283"));
        assertThat(checksum(ChecksumAlgorithm.CRC64NVME, CHECK)).isEqualTo(base64OfHex("ae8b14860a799888"));
        assertThat(checksum(ChecksumAlgorithm.SHA1, CHECK)).isEqualTo(
                Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(CHECK)));
        assertThat(checksum(ChecksumAlgorithm.SHA256, CHECK)).isEqualTo(
                Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(CHECK)));
    }

    @Test
    void emptyCrc32IsAllZeroes() {
        assertThat(checksum(ChecksumAlgorithm.CRC32, new byte[0])).isEqualTo("AAAAAA==");
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void directAndCompositeBuffersGiveTheHeapResult(ChecksumAlgorithm algorithm) {
        byte[] data = new byte[100_003];
        new Random(7).nextBytes(data);
        ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponent(true, Unpooled.directBuffer().writeBytes(data, 0, 10));
        composite.addComponent(true, Unpooled.wrappedBuffer(data, 10, data.length - 10));
        RunningChecksum a = algorithm.newChecksum();
        a.update(direct);
        RunningChecksum b = algorithm.newChecksum();
        b.update(composite);
        assertThat(direct.readerIndex()).isZero();
        assertThat(a.base64()).isEqualTo(checksum(algorithm, data)).isEqualTo(b.base64());
        assertThat(Base64.getDecoder().decode(checksum(algorithm, data))).hasSize(algorithm.length());
        direct.release();
        composite.release();
    }

    @Test
    void crc64MatchesABitwiseReference() {
        byte[] data = new byte[4096];
        new Random(3).nextBytes(data);
        long crc = -1L;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9a6c9329ac4bc9b5L : crc >>> 1;
            }
        }
        assertThat(checksum(ChecksumAlgorithm.CRC64NVME, data))
                .isEqualTo(base64OfHex(String.format("%016x", ~crc)));
    }

    @Test
    void headerNamesResolveInAnyCase() {
        assertThat(ChecksumAlgorithm.fromHeaderName(" X-Amz-Checksum-CRC64NVME")).isEqualTo(ChecksumAlgorithm.CRC64NVME);
        assertThat(ChecksumAlgorithm.fromHeaderName("x-amz-checksum-md5")).isNull();
        assertThat(ChecksumAlgorithm.SHA256.headerName()).isEqualTo("x-amz-checksum-sha256");
    }
}
