package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.s3.DeleteObjectsBody;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.List;

/**
 * A DeleteObjects request, whose body names the keys it locks: collected first (small, capped,
 * checked by the client's body verifier), parsed, rewritten when the proxy itself answers for
 * objects whose ETag condition failed, and its answer — the upstream's {@code <DeleteResult>} —
 * merged with those objects' errors. Used on one exchange's event loop.
 */
final class DeleteObjectsRequest {
    private final RequestPlanner.Plan plan;
    private final String bucket;
    private final ByteBufAllocator alloc;
    private BodyAggregator aggregator;
    private ByteBuf body;
    private DeleteObjectsBody.Parsed parsed;
    private DeleteObjectsRewrite rewrite;
    private HttpResponse resultHead;
    private CompositeByteBuf result;

    DeleteObjectsRequest(RequestPlanner.Plan plan, String bucket, ByteBufAllocator alloc) {
        this.plan = plan;
        this.bucket = bucket;
        this.alloc = alloc;
        this.aggregator = new BodyAggregator(plan.verifier(), DeleteObjectsBody.MAX_BODY_BYTES, alloc);
    }

    /**
     * Adds the next raw piece of the body (the caller keeps {@code raw}); returns the keys to lock
     * once it was the last, else null. Throws S3Exception for a body S3 would refuse.
     */
    List<LockKey> add(ByteBuf raw, boolean last) {
        aggregator.add(raw);
        if (!last) {
            return null;
        }
        body = aggregator.finish();
        aggregator = null;
        parsed = DeleteObjectsBody.parse(ByteBufUtil.getBytes(body));
        return LockKeys.of(bucket, parsed.entries().stream().map(DeleteObjectsBody.Entry::key).toList());
    }

    /** Returns the parsed body. */
    DeleteObjectsBody.Parsed parsed() {
        return parsed;
    }

    /** Returns the request to send upstream with the collected body; a checksum trailer becomes a header again. */
    UpstreamRequest upstreamRequest() {
        UpstreamRequest original = plan.upstream();
        var headers = original.headers().copy();
        String trailer = plan.trailerName();
        if (trailer != null) {
            String value = plan.verifier().trailers().get(trailer);
            if (value != null) {
                headers.set(trailer, value);
            }
        }
        return new UpstreamRequest(original.method(), original.bucket(), original.key(), original.query(), headers,
                new BodyPlan(BodyPlan.Kind.UNSIGNED, body.readableBytes(), null));
    }

    /**
     * Takes the objects the proxy answered for out of {@code request} (see {@link DeleteObjectsRewrite});
     * throws S3Exception when the client's digests of its body do not match.
     */
    UpstreamRequest rewritten(UpstreamRequest request, DeleteObjectsRewrite verdicts) {
        var headers = DeleteObjectsRewrite.fitted(request.headers(), ByteBufUtil.getBytes(body), verdicts.upstreamBody());
        body.release();
        body = Unpooled.wrappedBuffer(verdicts.upstreamBody());
        rewrite = verdicts.errorsXml().isEmpty() ? null : verdicts;
        return new UpstreamRequest(request.method(), request.bucket(), request.key(), request.query(), headers,
                new BodyPlan(BodyPlan.Kind.UNSIGNED, verdicts.upstreamBody().length, null));
    }

    /** Hands over the body to send; the caller releases it. */
    ByteBuf takeBody() {
        ByteBuf out = body;
        body = null;
        return out;
    }

    /** Returns whether the upstream's answer {@code head} must be collected to merge the proxy's own verdicts into it. */
    boolean collects(HttpResponse head) {
        if (rewrite == null || head.status().code() != 200) {
            return false;
        }
        resultHead = head;
        result = alloc.compositeBuffer(Integer.MAX_VALUE);
        return true;
    }

    /**
     * Adds a piece of the collected answer (and takes it over); returns the whole merged answer's
     * last content once complete — its head, {@link #resultHead()}, then carries its length — else null.
     */
    HttpContent collect(HttpContent content) {
        result.addComponent(true, content.content().retain());
        content.release();
        if (!(content instanceof LastHttpContent)) {
            return null;
        }
        ByteBuf merged = rewrite.mergeInto(result);
        result = null;
        resultHead.headers().remove(HttpHeaderNames.TRANSFER_ENCODING)
                .set(HttpHeaderNames.CONTENT_LENGTH, merged.readableBytes());
        return new DefaultLastHttpContent(merged);
    }

    HttpResponse resultHead() {
        return resultHead;
    }

    /** Releases every buffer still held. */
    void release() {
        if (aggregator != null) {
            aggregator.release();
            aggregator = null;
        }
        if (body != null) {
            body.release();
            body = null;
        }
        if (result != null) {
            result.release();
            result = null;
        }
    }
}
