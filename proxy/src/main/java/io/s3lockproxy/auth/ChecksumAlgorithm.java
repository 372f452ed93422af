package io.s3lockproxy.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/** The S3 additional-checksum algorithms, with the header or trailer name that carries each value. */
public enum ChecksumAlgorithm {
    CRC32("x-amz-checksum-crc32", 4, () -> RunningChecksum.of(new CRC32(), 4)),
    CRC32C("x-amz-checksum-crc32c", 4, () -> RunningChecksum.of(new CRC32C(), 4)),
    CRC64NVME("x-amz-checksum-crc64nvme", 8, () -> RunningChecksum.of(new Crc64Nvme(), 8)),
    SHA1("x-amz-checksum-sha1", 20, () -> RunningChecksum.of(digest("SHA-1"))),
    SHA256("x-amz-checksum-sha256", 32, () -> RunningChecksum.of(digest("SHA-256")));

    private final String headerName;
    private final int length;
    private final Supplier<RunningChecksum> factory;

    ChecksumAlgorithm(String headerName, int length, Supplier<RunningChecksum> factory) {
        this.headerName = headerName;
        this.length = length;
        this.factory = factory;
    }

    /** Returns the lower-case header (and trailer) name, for example {@code x-amz-checksum-crc32}. */
    public String headerName() {
        return headerName;
    }

    /** Returns the number of bytes in a checksum value (before base64). */
    public int length() {
        return length;
    }

    /** Returns a fresh checksum that has seen no bytes. */
    public RunningChecksum newChecksum() {
        return factory.get();
    }

    /** Returns the name S3 uses in messages, for example {@code CRC32} or {@code SHA256}. */
    public String displayName() {
        return name();
    }

    /** Returns the algorithm whose header name is {@code headerName} (any case), or null when there is none. */
    public static ChecksumAlgorithm fromHeaderName(String headerName) {
        String lower = headerName.strip().toLowerCase(Locale.ROOT);
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.headerName.equals(lower)) {
                return algorithm;
            }
        }
        return null;
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is missing from this JVM", e);
        }
    }
}
