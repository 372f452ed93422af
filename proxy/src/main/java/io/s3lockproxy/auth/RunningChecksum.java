package io.s3lockproxy.auth;

import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.zip.Checksum;

/** A checksum computed while the bytes stream past, rendered the way S3 sends it (base64 of big-endian bytes). */
public abstract sealed class RunningChecksum {

    private RunningChecksum() {
    }

    /** Returns a running checksum over a {@link Checksum} whose value is {@code width} bytes wide. */
    static RunningChecksum of(Checksum checksum, int width) {
        return new OfChecksum(checksum, width);
    }

    /** Returns a running checksum over a message digest. */
    static RunningChecksum of(MessageDigest digest) {
        return new OfDigest(digest);
    }

    /** Adds the readable bytes of {@code buf} without changing its indexes. */
    public void update(ByteBuf buf) {
        update(buf, buf.readerIndex(), buf.readableBytes());
    }

    /** Adds {@code length} bytes of {@code buf} starting at {@code index}. */
    public abstract void update(ByteBuf buf, int index, int length);

    /** Returns the result as big-endian bytes; call once, at the end. */
    public abstract byte[] result();

    /** Returns the base64 of {@link #result()}, the form of {@code x-amz-checksum-*} values. */
    public String base64() {
        return Base64.getEncoder().encodeToString(result());
    }

    private static final class OfChecksum extends RunningChecksum {
        private final Checksum checksum;
        private final int width;

        OfChecksum(Checksum checksum, int width) {
            this.checksum = checksum;
            this.width = width;
        }

        @Override
        public void update(ByteBuf buf, int index, int length) {
            ByteBufs.forEachNioBuffer(buf, index, length, checksum::update);
        }

        @Override
        public byte[] result() {
            long value = checksum.getValue();
            byte[] out = new byte[width];
            for (int i = width - 1; i >= 0; i--) {
                out[i] = (byte) value;
                value >>>= 8;
            }
            return out;
        }
    }

    private static final class OfDigest extends RunningChecksum {
        private final MessageDigest digest;

        OfDigest(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void update(ByteBuf buf, int index, int length) {
            ByteBufs.forEachNioBuffer(buf, index, length, digest::update);
        }

        @Override
        public byte[] result() {
            return digest.digest();
        }
    }
}
