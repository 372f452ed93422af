package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.s3lockproxy.auth.BodyVerifiers;
import io.s3lockproxy.auth.PayloadMode;
import io.s3lockproxy.auth.VerifiedRequest;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.AwsChunkedEncoder;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.ResponseListener;
import io.s3lockproxy.upstream.UpstreamConnection;
import io.s3lockproxy.upstream.UpstreamException;
import io.s3lockproxy.upstream.UpstreamRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request relayed to the upstream and its response relayed back.
 *
 * <p>Everything happens on the client channel's event loop (the upstream connection is taken from
 * that loop's pool), so no field needs synchronization. Both channels have autoRead off: the next
 * body piece is read only while the upstream socket is writable (below its high-water mark), and
 * the next response piece only while the client socket is, so at most a high-water mark of bytes
 * plus one piece is buffered per direction, whatever the object size.
 */
final class Exchange implements ResponseListener {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    /** Where the exchange is; "where did this request die?" has an answer. */
    enum State { RECEIVED, CONNECTING, STREAMING_BODY, AWAITING_RESPONSE, RELAYING_RESPONSE, DONE }

    private final ChannelHandlerContext ctx;
    private final ExchangeServices services;
    private final HttpRequest head;
    private final String requestId = RequestIds.next();
    private final Runnable readClient;
    private final Runnable onDone;
    private State state = State.RECEIVED;
    private S3Request request;
    private BodyRelay body;
    private UpstreamConnection upstream;
    private boolean clientBodyComplete;
    private boolean closeClientAfterResponse;
    private boolean waitingForUpstream;
    private boolean waitingForClient;

    Exchange(ChannelHandlerContext ctx, ExchangeServices services, HttpRequest head, Runnable readClient,
             Runnable onDone) {
        this.ctx = ctx;
        this.readClient = readClient;
        this.services = services;
        this.head = head;
        this.onDone = onDone;
        this.closeClientAfterResponse = !HttpUtil.isKeepAlive(head);
    }

    /** Authenticates the request, prepares the upstream request and starts the relay. */
    void start() {
        UpstreamRequest upstreamRequest;
        try {
            if (head.decoderResult().isFailure()) {
                throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "The request could not be parsed.");
            }
            request = services.parser().parse(head, requestId);
            VerifiedRequest verified = services.verifier().verify(request);
            upstreamRequest = prepare(verified);
        } catch (S3Exception e) {
            failBeforeResponse(e);
            return;
        }
        io.netty.handler.codec.http.HttpRequest signed;
        try {
            signed = services.resigner().sign(upstreamRequest);
        } catch (RuntimeException e) {
            LOG.error("request {}: signing for the upstream failed", requestId, e);
            failBeforeResponse(new S3Exception(S3ErrorCode.INTERNAL_ERROR));
            return;
        }
        if (body != null && !sizesAgree(signed, upstreamRequest.body())) {
            LOG.error("request {}: the signer's Content-Length differs from the relayed framing", requestId);
            failBeforeResponse(new S3Exception(S3ErrorCode.INTERNAL_ERROR));
            return;
        }
        state = State.CONNECTING;
        services.origins().acquire(ctx.channel().eventLoop()).addListener((Future<UpstreamConnection> f) -> {
            if (!f.isSuccess()) {
                onUpstreamError(f.cause() instanceof UpstreamException ue ? ue
                        : new UpstreamException(io.s3lockproxy.upstream.UpstreamError.CONNECT_ERROR, f.cause()));
                return;
            }
            UpstreamConnection connection = f.getNow();
            if (state == State.DONE) {
                connection.release();
                return;
            }
            upstream = connection;
            upstream.start(this);
            if (HttpUtil.is100ContinueExpected(head)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            state = State.STREAMING_BODY;
            upstream.write(signed).addListener(w -> {
                if (!w.isSuccess()) {
                    LOG.warn("request {}: head write failed", requestId, w.cause());
                }
            });
            upstream.read();
            readClient.run();
        });
    }

    private UpstreamRequest prepare(VerifiedRequest verified) {
        boolean chunkedTransfer = HttpUtil.isTransferEncodingChunked(head);
        long contentLength = HttpUtil.getContentLength(head, -1L);
        boolean hasBody = chunkedTransfer || contentLength > 0
                || (contentLength == 0 && !request.method().equals("GET") && !request.method().equals("HEAD"));
        PayloadMode mode = verified.payloadMode();
        BodyPlan plan = BodyPlan.NONE;
        String trailerName = null;
        if (hasBody) {
            long decodedLength;
            if (mode.awsChunked()) {
                decodedLength = decodedLength();
                trailerName = mode.trailer() ? lower(request.headers().get("x-amz-trailer")) : null;
            } else if (chunkedTransfer) {
                throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
            } else {
                decodedLength = contentLength;
            }
            plan = BodyPlan.choose(decodedLength, trailerName, services.forwarding());
            AwsChunkedEncoder encoder = plan.kind() == BodyPlan.Kind.CHUNKED_TRAILER
                    ? new AwsChunkedEncoder(BodyPlan.UPSTREAM_CHUNK_SIZE) : null;
            body = new BodyRelay(BodyVerifiers.create(verified, request.headers()), plan, encoder, ctx.alloc());
        } else if (request.method().equals("PUT") && request.key() != null && contentLength < 0) {
            throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
        }
        boolean trailerDropped = trailerName != null && plan.kind() != BodyPlan.Kind.CHUNKED_TRAILER;
        return new UpstreamRequest(request.method(), request.bucket(), request.key(),
                PresignParameters.without(request.query()),
                ForwardedHeaders.upstream(request.headers(), trailerDropped), plan);
    }

    private long decodedLength() {
        String declared = request.headers().get("x-amz-decoded-content-length");
        if (declared == null) {
            throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
        }
        try {
            long n = Long.parseLong(declared.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "x-amz-decoded-content-length is not a valid length.");
        }
    }

    private static boolean sizesAgree(HttpRequest signed, BodyPlan plan) {
        if (plan.kind() != BodyPlan.Kind.CHUNKED_TRAILER) {
            return true;
        }
        long expected = AwsChunkedEncoder.encodedLength(plan.contentLength(), BodyPlan.UPSTREAM_CHUNK_SIZE,
                plan.trailerName(), plan.trailerValueLength());
        return HttpUtil.getContentLength(signed, -1L) == expected;
    }

    /** Handles the next piece of the client's body; the exchange owns {@code content}. */
    void onClientContent(HttpContent content) {
        try {
            boolean last = content instanceof LastHttpContent;
            if (state != State.STREAMING_BODY) {
                // The exchange already failed or answered early; drain what the client still sends.
                if (last) {
                    clientBodyComplete = true;
                } else {
                    readClient.run();
                }
                return;
            }
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
            ByteBuf ready;
            ByteBuf rest = null;
            try {
                ready = body.next(content.content());
                if (last) {
                    clientBodyComplete = true;
                    rest = body.finish();
                }
            } catch (S3Exception e) {
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
            } else {
                readClientWhileUpstreamWritable();
            }
        } finally {
            content.release();
        }
    }

    /** Reads the next body piece now, or once the upstream socket has drained below its high-water mark. */
    private void readClientWhileUpstreamWritable() {
        if (upstream.isWritable()) {
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
        ctx.write(response);
        if (upstream != null) {
            upstream.read();
        }
    }

    @Override
    public void onResponseContent(HttpContent content) {
        if (state == State.DONE) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
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
        releaseBody();
        if (closeClientAfterResponse || !clientBodyComplete) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
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
        if (state == State.RELAYING_RESPONSE) {
            abort("upstream failed mid-response");
            return;
        }
        failBeforeResponse(new S3Exception(error.error().code()));
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
        releaseBody();
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
        releaseBody();
        boolean close = closeClientAfterResponse || !clientBodyComplete && expectsBody();
        String resource = request != null ? request.resource() : head.uri();
        boolean isHead = head.method().name().equals("HEAD");
        var response = ErrorResponses.of(ctx.alloc(), error, resource, requestId, isHead, close);
        var written = ctx.writeAndFlush(response);
        if (close) {
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            onDone.run();
        }
    }

    private boolean expectsBody() {
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.trim().toLowerCase(java.util.Locale.ROOT);
    }
}
