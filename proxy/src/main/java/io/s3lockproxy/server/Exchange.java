package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.s3lockproxy.auth.VerifiedRequest;
import io.s3lockproxy.lock.LockException;
import io.s3lockproxy.lock.HeldKeys;
import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.s3.DeleteObjectsBody;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.AwsChunkedEncoder;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.ResponseListener;
import io.s3lockproxy.upstream.UpstreamConnection;
import io.s3lockproxy.upstream.UpstreamError;
import io.s3lockproxy.upstream.UpstreamException;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request: authenticated, admitted by the key lock when it writes, relayed to the
 * upstream, and its response relayed back.
 *
 * <p>Everything happens on the client channel's event loop (lock completions hop back to it, and
 * the upstream connection is taken from that loop's pool), so no field needs synchronization.
 * Both channels have autoRead off: the next body piece is read only while the upstream socket is
 * writable (below its high-water mark), and the next response piece only while the client socket
 * is, so at most a high-water mark of bytes plus one piece is buffered per direction, whatever the
 * object size. The lock is held until the upstream's response is complete and released exactly
 * once on every path.
 */
final class Exchange implements ResponseListener {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    /** Where the exchange is; "where did this request die?" has an answer. */
    enum State { RECEIVED, AGGREGATING, WAITING_FOR_LOCK, CHECKING_CONDITIONS, CONNECTING, STREAMING_BODY, AWAITING_RESPONSE,
        RELAYING_RESPONSE, DONE }

    private final ChannelHandlerContext ctx;
    private final ExchangeServices services;
    private final HttpRequest head;
    private final String requestId = RequestIds.next();
    private final Runnable readClient;
    private final Runnable onDone;
    private State state = State.RECEIVED;
    private S3Request request;
    private RequestPlanner.Plan plan;
    private BodyRelay body;
    private BodyAggregator aggregator;
    private ByteBuf aggregatedBody;
    private HeldKeys lock;
    /** Conditions the proxy added to the upstream write (fenced mode); a 412 on them is a fence rejection. */
    private HttpHeaders addedConditions;
    private UpstreamConnection upstream;
    private boolean continueSent;
    private boolean clientBodyComplete;
    private boolean closeClientAfterResponse;
    private boolean waitingForUpstream;
    private boolean waitingForClient;
    // Observation: counted where the bytes already flow, reported once in observeEnd().
    private final ExchangeTally tally = new ExchangeTally();

    Exchange(ChannelHandlerContext ctx, ExchangeServices services, HttpRequest head, Runnable readClient,
             Runnable onDone) {
        this.ctx = ctx;
        this.services = services;
        this.head = head;
        this.readClient = readClient;
        this.onDone = onDone;
        this.closeClientAfterResponse = !HttpUtil.isKeepAlive(head);
    }

    /** Authenticates the request and starts it on its way: aggregation, lock, or straight upstream. */
    void start() {
        try {
            if (head.decoderResult().isFailure()) {
                throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "The request could not be parsed.");
            }
            request = services.parser().parse(head, requestId);
            VerifiedRequest verified = services.verifier().verify(request);
            tally.authenticated(verified.accessKey());
            services.accessPolicy().check(verified.accessKey(), request);
            plan = services.planner().plan(head, request, verified);
        } catch (S3Exception e) {
            failBeforeResponse(e);
            return;
        }
        if (request.operation() == S3Operation.DELETE_OBJECTS && plan.verifier() != null) {
            // The keys to lock are in the body: read it (small, capped) before asking for locks.
            state = State.AGGREGATING;
            aggregator = new BodyAggregator(plan.verifier(), DeleteObjectsBody.MAX_BODY_BYTES, ctx.alloc());
            sendContinueIfExpected();
            readClient.run();
            return;
        }
        admit(LockKeys.of(request));
    }

    private void admit(List<LockKey> keys) {
        if (keys.isEmpty()) {
            connect();
            return;
        }
        state = State.WAITING_FOR_LOCK;
        tally.lockWaitStarted();
        services.lockService().acquire(keys, requestId).whenComplete((handle, error) -> {
            try {
                ctx.channel().eventLoop().execute(() -> admitted(handle, error));
            } catch (RejectedExecutionException shuttingDown) {
                // The event loop is gone (shutdown): nobody will use this lock, give it back.
                if (handle != null) {
                    handle.release();
                }
            }
        });
    }

    private void admitted(HeldKeys handle, Throwable error) {
        tally.lockWaitEnded();
        if (state != State.WAITING_FOR_LOCK) {
            // The client left while this request queued for its lock.
            if (handle != null) {
                handle.release();
            }
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof LockException)) {
                LOG.error("request {}: lock acquisition failed", requestId, cause);
            }
            failBeforeResponse(new S3Exception(S3ErrorCode.SLOW_DOWN, cause instanceof LockException
                    ? "The object is busy with another write; retry." : S3ErrorCode.SLOW_DOWN.defaultMessage()));
            return;
        }
        lock = handle;
        handle.onLost(() -> ctx.channel().eventLoop().execute(this::leaseLost));
        // Redis is configured but this lock is local only (onRedisDown: conditional): only the
        // storage's conditional write can keep other instances' writers out.
        boolean mustFence = !handle.distributed() && services.locksShared();
        WriteGuard guard = services.writeGuard();
        if (mustFence && !guard.canFence(request)) {
            failBeforeResponse(new S3Exception(S3ErrorCode.SLOW_DOWN,
                    "The lock service is unavailable and this write cannot be fenced at the storage; retry."));
            return;
        }
        if (!guard.applies(request, mustFence)) {
            connect();
            return;
        }
        state = State.CHECKING_CONDITIONS;
        guard.check(ctx.channel().eventLoop(), request, mustFence).addListener((Future<HttpHeaders> f) -> {
            if (state != State.CHECKING_CONDITIONS) {
                return;
            }
            if (!f.isSuccess()) {
                failBeforeResponse(f.cause() instanceof S3Exception e ? e : new S3Exception(S3ErrorCode.INTERNAL_ERROR));
                return;
            }
            addedConditions = f.getNow().isEmpty() ? null : f.getNow();
            connect();
        });
    }

    /** Signs the upstream request and sends it once a pooled connection is ready. */
    private void connect() {
        UpstreamRequest upstreamRequest = aggregatedBody == null ? plan.upstream() : aggregatedRequest();
        if (addedConditions != null) {
            upstreamRequest = upstreamRequest.withHeaders(addedConditions);
        }
        HttpRequest signed;
        try {
            signed = services.resigner().sign(upstreamRequest);
        } catch (RuntimeException e) {
            LOG.error("request {}: signing for the upstream failed", requestId, e);
            failBeforeResponse(new S3Exception(S3ErrorCode.INTERNAL_ERROR));
            return;
        }
        BodyPlan bodyPlan = upstreamRequest.body();
        if (!bodyPlan.agreesWith(HttpUtil.getContentLength(signed, -1L))) {
            LOG.error("request {}: the signer's Content-Length differs from the relayed framing", requestId);
            failBeforeResponse(new S3Exception(S3ErrorCode.INTERNAL_ERROR));
            return;
        }
        if (aggregatedBody == null && plan.verifier() != null) {
            AwsChunkedEncoder encoder = bodyPlan.kind() == BodyPlan.Kind.CHUNKED_TRAILER
                    ? new AwsChunkedEncoder(BodyPlan.UPSTREAM_CHUNK_SIZE) : null;
            body = new BodyRelay(plan.verifier(), bodyPlan, encoder, ctx.alloc());
        }
        state = State.CONNECTING;
        services.origins().acquire(ctx.channel().eventLoop()).addListener((Future<UpstreamConnection> f) -> {
            if (!f.isSuccess()) {
                onUpstreamError(f.cause() instanceof UpstreamException ue ? ue
                        : new UpstreamException(UpstreamError.CONNECT_ERROR, f.cause()));
                return;
            }
            UpstreamConnection connection = f.getNow();
            if (state != State.CONNECTING) {
                connection.release();
                return;
            }
            upstream = connection;
            upstream.start(this);
            upstream.write(signed);
            if (aggregatedBody != null) {
                ByteBuf payload = aggregatedBody;
                aggregatedBody = null;
                state = State.AWAITING_RESPONSE;
                upstream.write(new DefaultLastHttpContent(payload));
                upstream.read();
                return;
            }
            sendContinueIfExpected();
            state = State.STREAMING_BODY;
            upstream.read();
            readClient.run();
        });
    }

    /** The DeleteObjects request with its collected body; a checksum trailer becomes a header again. */
    private UpstreamRequest aggregatedRequest() {
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
                new BodyPlan(BodyPlan.Kind.UNSIGNED, aggregatedBody.readableBytes(), null));
    }

    private void sendContinueIfExpected() {
        if (!continueSent && HttpUtil.is100ContinueExpected(head)) {
            continueSent = true;
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    /** Handles the next piece of the client's body; the exchange owns {@code content}. */
    void onClientContent(HttpContent content) {
        tally.received(content.content().readableBytes());
        try {
            boolean last = content instanceof LastHttpContent;
            switch (state) {
                case AGGREGATING -> aggregate(content, last);
                case STREAMING_BODY -> stream(content, last);
                default -> {
                    // The exchange already failed or answered early; drain what the client still sends.
                    if (last) {
                        clientBodyComplete = true;
                    } else {
                        readClient.run();
                    }
                }
            }
        } finally {
            content.release();
        }
    }

    private void aggregate(HttpContent content, boolean last) {
        List<LockKey> keys;
        try {
            aggregator.add(content.content());
            if (!last) {
                readClient.run();
                return;
            }
            clientBodyComplete = true;
            aggregatedBody = aggregator.finish();
            aggregator = null;
            keys = LockKeys.of(request.bucket(), DeleteObjectsBody.keys(ByteBufUtil.getBytes(aggregatedBody)));
        } catch (S3Exception e) {
            clientBodyComplete = last;
            failBeforeResponse(e);
            return;
        }
        admit(keys);
    }

    private void stream(HttpContent content, boolean last) {
        if (body == null) {
            if (last) {
                clientBodyComplete = true;
                state = State.AWAITING_RESPONSE;
                upstream.write(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                readClient.run();
            }
            return;
        }
        ByteBuf ready = null;
        ByteBuf rest = null;
        try {
            ready = body.next(content.content());
            if (last) {
                clientBodyComplete = true;
                rest = body.finish();
            }
        } catch (S3Exception e) {
            if (ready != null) {
                ready.release();
            }
            clientBodyComplete = last;
            failBeforeResponse(e);
            return;
        }
        if (ready != null) {
            upstream.write(new DefaultHttpContent(ready));
        }
        if (last) {
            state = State.AWAITING_RESPONSE;
            upstream.write(new DefaultLastHttpContent(rest));
        } else if (upstream.isWritable()) {
            readClient.run();
        } else {
            waitingForUpstream = true;
        }
    }

    @Override
    public void onUpstreamWritable() {
        if (waitingForUpstream && state == State.STREAMING_BODY) {
            waitingForUpstream = false;
            readClient.run();
        }
    }

    /** The client socket drained below its high-water mark: resume reading the upstream response. */
    void onClientWritable() {
        if (waitingForClient && upstream != null) {
            waitingForClient = false;
            upstream.read();
        }
    }

    @Override
    public void onResponseHead(HttpResponse response) {
        if (state == State.DONE) {
            return;
        }
        if (addedConditions != null && response.status().code() == 412) {
            services.writeGuard().recordFenceRejection();
            LOG.warn("request {}: the upstream refused a write on the condition the lock added: the lock was not kept",
                    requestId);
            failBeforeResponse(new S3Exception(S3ErrorCode.SLOW_DOWN,
                    "Another writer changed the object while this request held a lapsed lock; nothing was written. Retry."));
            return;
        }
        if (!clientBodyComplete) {
            // The upstream answered before the body was complete: relay the answer, then close,
            // because the rest of the body will never be read.
            closeClientAfterResponse = true;
            releaseBody();
        }
        state = State.RELAYING_RESPONSE;
        ForwardedHeaders.stripHopByHop(response.headers());
        if (!HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)
                && !head.method().name().equals("HEAD")) {
            // Read-until-close framing: only closing tells the client where the body ends.
            closeClientAfterResponse = true;
        }
        if (closeClientAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        tally.status(response.status().code());
        ctx.write(response);
        upstream.read();
    }

    @Override
    public void onResponseContent(HttpContent content) {
        if (state == State.DONE) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        tally.sent(content.content().readableBytes());
        ctx.writeAndFlush(content).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                abort("client write failed");
            }
        });
        if (last) {
            finishExchange();
        } else if (state == State.DONE) {
            return;
        } else if (ctx.channel().isWritable()) {
            upstream.read();
        } else {
            waitingForClient = true;
        }
    }

    private void finishExchange() {
        state = State.DONE;
        UpstreamConnection connection = upstream;
        upstream = null;
        if (connection != null) {
            if (clientBodyComplete) {
                connection.release();
            } else {
                connection.abort();
            }
        }
        releaseResources();
        observeEnd(false);
        if (closeClientAfterResponse || !clientBodyComplete) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            onDone.run();
        }
    }

    @Override
    public void onUpstreamError(UpstreamException error) {
        if (state == State.DONE) {
            return;
        }
        LOG.warn("request {}: upstream failed in state {}: {}", requestId, state, error.getMessage());
        upstream = null;
        tally.upstreamFailed(error.error());
        if (state == State.RELAYING_RESPONSE) {
            abort("upstream failed mid-response");
            return;
        }
        failBeforeResponse(new S3Exception(error.error().code()));
    }

    /**
     * The lease ended while this write was in flight: another writer may own the key now, so the
     * upstream request is aborted and the client told to retry. Once the upstream has answered,
     * the write is over and there is nothing to stop.
     */
    private void leaseLost() {
        switch (state) {
            case CHECKING_CONDITIONS, CONNECTING, STREAMING_BODY, AWAITING_RESPONSE -> {
                LOG.warn("request {}: lock lease lost in state {}; upstream request aborted", requestId, state);
                failBeforeResponse(new S3Exception(S3ErrorCode.SLOW_DOWN,
                        "The lock on this object was lost while writing; nothing was committed by this request. Retry."));
            }
            default -> {
            }
        }
    }

    /** The client connection closed: abort the upstream request so no partial object is committed. */
    void clientGone() {
        if (state != State.DONE) {
            abort("client closed the connection");
        }
    }

    private void abort(String why) {
        LOG.debug("request {}: aborted in state {}: {}", requestId, state, why);
        state = State.DONE;
        if (upstream != null) {
            upstream.abort();
            upstream = null;
        }
        releaseResources();
        observeEnd(true);
        ctx.close();
    }

    private void failBeforeResponse(S3Exception error) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (upstream != null) {
            upstream.abort();
            upstream = null;
        }
        releaseResources();
        boolean close = closeClientAfterResponse || !clientBodyComplete && expectsBody();
        String resource = request != null ? request.resource() : head.uri();
        boolean isHead = head.method().name().equals("HEAD");
        var response = ErrorResponses.of(ctx.alloc(), error, resource, requestId, isHead, close);
        tally.status(response.status().code());
        tally.sent(response.content().readableBytes());
        observeEnd(false);
        var written = ctx.writeAndFlush(response);
        if (close) {
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            onDone.run();
        }
    }

    /** Hands this exchange's {@link RequestRecord} to the observer; runs once, from the three ends. */
    private void observeEnd(boolean aborted) {
        RequestRecord record = tally.end(requestId, head.method().name(), request, aborted);
        if (record == null) {
            return;
        }
        try {
            services.observer().requestEnded(record);
        } catch (RuntimeException e) {
            LOG.warn("request {}: the request observer failed", requestId, e);
        }
    }

    private boolean expectsBody() {
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }

    /** Releases the lock (exactly once) and every buffer this exchange still holds. */
    private void releaseResources() {
        if (lock != null) {
            HeldKeys held = lock;
            lock = null;
            held.release();
        }
        releaseBody();
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (aggregator != null) {
            aggregator.release();
            aggregator = null;
        }
        if (aggregatedBody != null) {
            aggregatedBody.release();
            aggregatedBody = null;
        }
    }
}
