package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.s3lockproxy.s3.S3Exception;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.function.IntSupplier;

/** Feeds a body to a verifier in pieces and checks that no buffer is leaked on the way. */
final class BodyFeeder {
    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private BodyFeeder() {
    }

    static IntSupplier whole() {
        return () -> Integer.MAX_VALUE;
    }

    static IntSupplier bytewise() {
        return () -> 1;
    }

    static IntSupplier random(long seed, int max) {
        Random random = new Random(seed);
        return () -> 1 + random.nextInt(max);
    }

    /** Returns the decoded payload after feeding all of {@code body} and finishing. */
    static byte[] decode(BodyVerifier verifier, byte[] body, IntSupplier pieces) {
        byte[] decoded = feedAll(verifier, body, body.length, pieces);
        verifier.finish();
        return decoded;
    }

    /** Returns the failure raised by feeding the first {@code length} bytes of {@code body} or by finishing. */
    static S3Exception failure(BodyVerifier verifier, byte[] body, int length, IntSupplier pieces) {
        try {
            feedAll(verifier, body, length, pieces);
            verifier.finish();
        } catch (S3Exception e) {
            return e;
        }
        return fail("no S3Exception for a body that must fail");
    }

    static S3Exception failure(BodyVerifier verifier, byte[] body, IntSupplier pieces) {
        return failure(verifier, body, body.length, pieces);
    }

    private static byte[] feedAll(BodyVerifier verifier, byte[] body, int length, IntSupplier pieces) {
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < length) {
            int n = Math.min(length - pos, pieces.getAsInt());
            ByteBuf raw = PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(body, pos, n);
            try {
                ByteBuf out = verifier.feed(raw);
                assertThat(raw.readerIndex()).isZero();
                byte[] bytes = new byte[out.readableBytes()];
                out.getBytes(out.readerIndex(), bytes);
                decoded.writeBytes(bytes);
                if (out != Unpooled.EMPTY_BUFFER) {
                    assertThat(out.release()).isTrue();
                }
            } finally {
                raw.release();
                assertThat(raw.refCnt()).as("input still referenced after its output was released").isZero();
            }
            pos += n;
        }
        return decoded.toByteArray();
    }
}
