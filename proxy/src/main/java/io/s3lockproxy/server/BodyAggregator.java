package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.s3lockproxy.auth.BodyVerifier;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;

/**
 * Collects a small request body (DeleteObjects XML) whose content the proxy must read before it
 * can lock, checked by the client's body verifier and capped so a large body cannot fill memory.
 */
final class BodyAggregator {
    private final BodyVerifier verifier;
    private final int maxBytes;
    private CompositeByteBuf collected;

    BodyAggregator(BodyVerifier verifier, int maxBytes, ByteBufAllocator alloc) {
        this.verifier = verifier;
        this.maxBytes = maxBytes;
        this.collected = alloc.compositeBuffer(Integer.MAX_VALUE);
    }

    /** Adds the payload in the next raw piece (the caller keeps {@code raw}). */
    void add(ByteBuf raw) {
        ByteBuf decoded = verifier.feed(raw);
        if (collected.readableBytes() + decoded.readableBytes() > maxBytes) {
            decoded.release();
            throw new S3Exception(S3ErrorCode.MALFORMED_XML, "The request body is larger than this operation allows.");
        }
        collected.addComponent(true, decoded);
    }

    /** Runs the final checks and returns the whole payload; the caller releases it. */
    ByteBuf finish() {
        verifier.finish();
        ByteBuf out = collected;
        collected = null;
        return out;
    }

    /** Releases what was collected; call on every path that does not reach {@link #finish()}. */
    void release() {
        if (collected != null) {
            collected.release();
            collected = null;
        }
    }
}
