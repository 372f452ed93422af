package io.s3lockproxy.auth;

import io.netty.buffer.ByteBuf;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.sigv4.Hashes;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a plain (not aws-chunked) body against the hex SHA-256 declared in
 * {@code x-amz-content-sha256}, or passes an {@code UNSIGNED-PAYLOAD} body through unchecked.
 * The body bytes are the payload, so {@link #feed} returns them as they are.
 */
public final class PayloadHashVerifier implements BodyVerifier {
    private final String expectedSha256;
    private final MessageDigest digest;
    private long length;
    private boolean finished;
    private S3Exception failure;

    private PayloadHashVerifier(String expectedSha256) {
        this.expectedSha256 = expectedSha256 == null ? null : expectedSha256.toLowerCase(Locale.ROOT);
        this.digest = expectedSha256 == null ? null : Hashes.sha256();
    }

    /** Returns a verifier that fails in {@link #finish} unless the body hashes to {@code expectedSha256Hex}. */
    public static PayloadHashVerifier sha256(String expectedSha256Hex) {
        if (expectedSha256Hex == null) {
            throw new IllegalArgumentException("expected hash is required");
        }
        return new PayloadHashVerifier(expectedSha256Hex);
    }

    /** Returns a verifier that checks nothing, for {@code UNSIGNED-PAYLOAD}. */
    public static PayloadHashVerifier unsigned() {
        return new PayloadHashVerifier(null);
    }

    @Override
    public ByteBuf feed(ByteBuf raw) {
        if (finished) {
            throw new IllegalStateException("feed after finish");
        }
        int n = raw.readableBytes();
        if (digest != null) {
            ByteBufs.forEachNioBuffer(raw, raw.readerIndex(), n, digest::update);
        }
        length += n;
        return raw.retainedSlice();
    }

    @Override
    public void finish() {
        if (!finished) {
            finished = true;
            if (digest != null && !Hashes.constantTimeEquals(Hashes.hex(digest.digest()), expectedSha256)) {
                failure = new S3Exception(S3ErrorCode.X_AMZ_CONTENT_SHA256_MISMATCH);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }

    @Override
    public long decodedLength() {
        return length;
    }
}
