package io.s3lockproxy.auth;

import java.nio.ByteBuffer;
import java.util.zip.Checksum;

/**
 * CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, initial value and final XOR all ones.
 * Table-driven, one byte at a time; the check value of {@code "123456789"} is 0xae8b14860a799888.
 */
final class Crc64Nvme implements Checksum {
    private static final long POLY = 0x9a6c9329ac4bc9b5L;
    private static final long[] TABLE = table();

    private long crc = -1L;

    private static long[] table() {
        long[] t = new long[256];
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            }
            t[i] = c;
        }
        return t;
    }

    @Override
    public void update(int b) {
        crc = TABLE[(int) (crc ^ b) & 0xFF] ^ (crc >>> 8);
    }

    @Override
    public void update(byte[] b, int off, int len) {
        long c = crc;
        for (int i = off; i < off + len; i++) {
            c = TABLE[(int) (c ^ b[i]) & 0xFF] ^ (c >>> 8);
        }
        crc = c;
    }

    @Override
    public void update(ByteBuffer buffer) {
        long c = crc;
        int limit = buffer.limit();
        for (int i = buffer.position(); i < limit; i++) {
            c = TABLE[(int) (c ^ buffer.get(i)) & 0xFF] ^ (c >>> 8);
        }
        buffer.position(limit);
        crc = c;
    }

    @Override
    public long getValue() {
        return ~crc;
    }

    @Override
    public void reset() {
        crc = -1L;
    }
}
