package io.s3lockproxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client pipeline: starts one {@link Exchange} per request and hands it the
 * request's body pieces. Requests on one connection are served one after another; the next
 * request head is read only when the previous exchange is done.
 *
 * <pre>
 * ClientDeadlines → HttpServerCodec → FlowControlHandler → RequestHandler   (autoRead off)
 * </pre>
 *
 * It tells {@link ClientDeadlines} what it waits for, and answers its stalls: an idle connection
 * closes, a head that does not arrive in time gets 400 RequestTimeout, and so does a body that stops.
 * A connection opened beyond {@code client.maxConnections} gets 503 SlowDown for its first request and closes.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    /** How long, and how much of a body, a connection keeps reading after an early answer before it closes. */
    private static final long DRAIN_MILLIS = 5_000;
    private static final long DRAIN_BYTES = 8L << 20;
    /** How long a connection whose head stalled keeps dropping what arrives after its answer. */
    private static final long LINGER_MILLIS = 2_000;

    private final ExchangeServices services;
    private final ClientDeadlines deadlines;
    /** The connection was opened beyond {@code client.maxConnections}. */
    private boolean overLimit;
    private Exchange current;
    /** The last exchange answered before its body arrived: the rest is dropped until the connection closes. */
    private boolean draining;
    private long drainedBytes;
    private ChannelHandlerContext ctx;
    /** A read was asked for and no message has arrived yet. */
    private boolean readWanted;

    RequestHandler(ExchangeServices services, ClientDeadlines deadlines) {
        this.services = services;
        this.deadlines = deadlines;
        deadlines.onStall(this::stalled);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        overLimit = !services.connections().opened(ctx.channel());
        readClient();
        ctx.fireChannelActive();
    }

    /** Asks for the next message from the client; asked again until one arrives. */
    void readClient() {
        readWanted = true;
        if (draining) {
            deadlines.awaitNothing();
        } else if (current == null) {
            deadlines.awaitHead();
        } else {
            deadlines.awaitBody();
        }
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // A socket read can end without a whole message (a partial head or chunk): FlowControlHandler
        // then drops the unsatisfied read, so it is asked for again here.
        if (readWanted && ctx.channel().isActive()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readWanted = false;
        if (msg instanceof HttpRequest) {
            deadlines.headArrived();
        } else {
            deadlines.awaitNothing();
        }
        if (msg instanceof HttpRequest head) {
            if (current != null) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            if (draining) {
                // A new request behind a body that was answered early: the connection is closing.
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            Exchange exchange = new Exchange(ctx, services, head, this::readClient, this::exchangeDone,
                    this::drainThenClose);
            current = exchange;
            if (overLimit) {
                exchange.refuse(new S3Exception(S3ErrorCode.SLOW_DOWN, "The proxy has as many client connections"
                        + " open as it may (client.maxConnections); this one closes. Retry."));
            } else {
                exchange.start();
            }
        }
        if (msg instanceof HttpContent content) {
            if (current != null) {
                current.onClientContent(content);
            } else if (draining) {
                drainedBytes += content.content().readableBytes();
                boolean last = content instanceof LastHttpContent;
                content.release();
                if (last || drainedBytes > DRAIN_BYTES) {
                    ctx.close();
                } else {
                    readClient();
                }
            } else {
                // Left over from a request that was already answered: drop it and keep reading.
                content.release();
                readClient();
            }
        }
    }

    /**
     * The exchange answered before its body arrived and the connection must close: it first reads
     * and drops the rest of the body (as nginx lingers), for at most {@value #DRAIN_MILLIS} ms and
     * {@value #DRAIN_BYTES} bytes, so that the client reads the answer rather than a reset.
     */
    private void drainThenClose() {
        current = null;
        draining = true;
        ctx.executor().schedule(() -> {
            ctx.close();
        }, DRAIN_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (ctx.channel().isActive()) {
            readClient();
        }
    }

    private void stalled(StallClock.Stall stall) {
        switch (stall) {
            case IDLE -> ctx.close();
            case HEAD -> {
                LOG.debug("client connection {}: the request head did not arrive in time", ctx.channel().remoteAddress());
                FullHttpResponse timeout = ErrorResponses.of(ctx.alloc(), new S3Exception(S3ErrorCode.REQUEST_TIMEOUT),
                        "/", RequestIds.next(), false);
                timeout.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(timeout).addListener(f -> deadlines.lingerThenClose(LINGER_MILLIS));
            }
            case BODY -> {
                if (current != null) {
                    current.clientTimedOut();
                }
            }
            case NONE -> {
            }
        }
    }

    private void exchangeDone() {
        current = null;
        if (services.connections().draining()) {
            ctx.close();
        } else if (ctx.channel().isActive()) {
            readClient();
        }
    }

    /** Shutdown: closes the connection now if no exchange is in flight, else after it ends. */
    void closeWhenIdle() {
        if (current == null) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) {
            current.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientGone();
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("client connection failed: {}", cause.getMessage());
        } else {
            LOG.warn("unexpected error on a client connection", cause);
        }
        ctx.close();
    }
}
