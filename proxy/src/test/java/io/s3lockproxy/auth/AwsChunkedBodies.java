package io.s3lockproxy.auth;

import io.s3lockproxy.sigv4.ChunkSignatures;
import io.s3lockproxy.sigv4.Hashes;
import io.s3lockproxy.sigv4.SigningKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Builds aws-chunked bodies the way the AWS documentation specifies them, independently of the
 * decoder: signed chunks chain from the seed, the trailer signs the canonical trailer lines.
 */
final class AwsChunkedBodies {
    static final SigningKey KEY = SigningKey.derive("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524",
            "us-east-1", "s3");
    static final StreamingContext CONTEXT = new StreamingContext(KEY, "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");

    private final PayloadMode mode;
    private final byte[] payload;
    private int chunkSize = 65536;
    private ChecksumAlgorithm checksum;
    private String trailerName;
    private String trailerValue;

    private AwsChunkedBodies(PayloadMode mode, byte[] payload) {
        this.mode = mode;
        this.payload = payload;
    }

    static AwsChunkedBodies of(PayloadMode mode, byte[] payload) {
        return new AwsChunkedBodies(mode, payload);
    }

    AwsChunkedBodies chunkSize(int size) {
        this.chunkSize = size;
        return this;
    }

    /** Adds a correct trailer for {@code algorithm}. */
    AwsChunkedBodies checksum(ChecksumAlgorithm algorithm) {
        this.checksum = algorithm;
        return this;
    }

    /** Replaces the trailer line (signed correctly all the same). */
    AwsChunkedBodies trailer(String name, String value) {
        this.trailerName = name;
        this.trailerValue = value;
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String previous = CONTEXT.seedSignature();
        for (int offset = 0; offset < payload.length; offset += chunkSize) {
            byte[] data = Arrays.copyOfRange(payload, offset, Math.min(payload.length, offset + chunkSize));
            previous = header(out, data, previous);
            out.writeBytes(data);
            ascii(out, "\r\n");
        }
        previous = header(out, new byte[0], previous);
        Map<String, String> trailers = new LinkedHashMap<>();
        if (checksum != null) {
            trailers.put(checksum.headerName(), expectedChecksum(checksum, payload));
        }
        if (trailerName != null) {
            trailers.clear();
            trailers.put(trailerName, trailerValue);
        }
        trailers.forEach((name, value) -> ascii(out, name + ":" + value + "\r\n"));
        if (mode == PayloadMode.STREAMING_SIGNED_TRAILER) {
            ascii(out, "x-amz-trailer-signature:" + ChunkSignatures.trailerSignature(KEY, CONTEXT.timestamp(),
                    CONTEXT.scope(), previous, trailers) + "\r\n");
        }
        ascii(out, "\r\n");
        return out.toByteArray();
    }

    private String header(ByteArrayOutputStream out, byte[] data, String previous) {
        ascii(out, Integer.toHexString(data.length));
        String signature = previous;
        if (mode.signedChunks()) {
            signature = ChunkSignatures.chunkSignature(KEY, CONTEXT.timestamp(), CONTEXT.scope(), previous,
                    Hashes.hex(Hashes.sha256().digest(data)));
            ascii(out, ";chunk-signature=" + signature);
        }
        ascii(out, "\r\n");
        return signature;
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Returns the base64 checksum of {@code data}, computed without the production classes. */
    static String expectedChecksum(ChecksumAlgorithm algorithm, byte[] data) {
        byte[] bytes;
        try {
            bytes = switch (algorithm) {
                case CRC32 -> {
                    CRC32 c = new CRC32();
                    c.update(data);
                    yield toBytes(c.getValue(), 4);
                }
                case CRC32C -> {
                    CRC32C c = new CRC32C();
                    c.update(data);
                    yield toBytes(c.getValue(), 4);
                }
                case CRC64NVME -> toBytes(crc64Bitwise(data), 8);
                case SHA1 -> MessageDigest.getInstance("SHA-1").digest(data);
                case SHA256 -> MessageDigest.getInstance("SHA-256").digest(data);
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static long crc64Bitwise(byte[] data) {
        long crc = -1L;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9a6c9329ac4bc9b5L : crc >>> 1;
            }
        }
        return ~crc;
    }

    private static byte[] toBytes(long value, int width) {
        byte[] out = new byte[width];
        for (int i = width - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return out;
    }
}
