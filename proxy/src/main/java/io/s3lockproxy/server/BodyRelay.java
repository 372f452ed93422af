package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.s3lockproxy.auth.BodyVerifier;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.upstream.AwsChunkedEncoder;
import io.s3lockproxy.upstream.BodyPlan;

/**
 * Turns the client's raw body into the bytes sent upstream, always holding back the newest bytes
 * until every check has passed: if a check fails, the upstream never receives its declared
 * length and so never commits the object.
 */
final class BodyRelay {
    private final BodyVerifier verifier;
    private final BodyPlan plan;
    private final AwsChunkedEncoder encoder;
    private final ByteBufAllocator alloc;
    private ByteBuf heldBack;

    BodyRelay(BodyVerifier verifier, BodyPlan plan, AwsChunkedEncoder encoder, ByteBufAllocator alloc) {
        this.verifier = verifier;
        this.plan = plan;
        this.encoder = encoder;
        this.alloc = alloc;
    }

    /**
     * Consumes raw client bytes (the caller keeps {@code raw}) and returns what may be sent now,
     * or null when everything is held back.
     */
    ByteBuf next(ByteBuf raw) {
        ByteBuf decoded = verifier.feed(raw);
        if (plan.lengthKnown() && verifier.decodedLength() > plan.contentLength()) {
            decoded.release();
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "The body is longer than its declared length.");
        }
        ByteBuf out = encoder == null ? decoded : encodeAndRelease(decoded);
        if (!out.isReadable()) {
            out.release();
            return null;
        }
        ByteBuf ready = heldBack;
        heldBack = out;
        return ready;
    }

    /** Runs the final checks and returns everything still to send (never null, possibly empty). */
    ByteBuf finish() {
        verifier.finish();
        if (plan.lengthKnown() && verifier.decodedLength() != plan.contentLength()) {
            throw new S3Exception(S3ErrorCode.INCOMPLETE_BODY);
        }
        CompositeByteBuf rest = alloc.compositeBuffer();
        if (heldBack != null) {
            rest.addComponent(true, heldBack);
            heldBack = null;
        }
        if (encoder != null) {
            String value = verifier.trailers().get(plan.trailerName());
            if (value == null) {
                rest.release();
                throw new S3Exception(S3ErrorCode.MALFORMED_TRAILER_ERROR,
                        "The request did not send the trailer " + plan.trailerName() + " it declared.");
            }
            rest.addComponent(true, encoder.finish(plan.trailerName(), value));
        }
        return rest;
    }

    /** Drops whatever is held back; call on every path that does not reach {@link #finish()}. */
    void release() {
        if (heldBack != null) {
            heldBack.release();
            heldBack = null;
        }
        if (encoder != null) {
            encoder.discard();
        }
    }

    private ByteBuf encodeAndRelease(ByteBuf decoded) {
        try {
            return encoder.encode(decoded);
        } finally {
            decoded.release();
        }
    }
}
