package io.s3lockproxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client pipeline: starts one {@link Exchange} per request and hands it the
 * request's body pieces. Requests on one connection are served one after another; the next
 * request head is read only when the previous exchange is done.
 *
 * <pre>
 * HttpServerCodec → FlowControlHandler → RequestHandler   (autoRead off)
 * </pre>
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    /** How long, and how much of a body, a connection keeps reading after an early answer before it closes. */
    private static final long DRAIN_MILLIS = 5_000;
    private static final long DRAIN_BYTES = 8L << 20;

    private final ExchangeServices services;
    private Exchange current;
    /** The last exchange answered before its body arrived: the rest is dropped until the connection closes. */
    private boolean draining;
    private long drainedBytes;
    private ChannelHandlerContext ctx;
    /** A read was asked for and no message has arrived yet. */
    private boolean readWanted;

    RequestHandler(ExchangeServices services) {
        this.services = services;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        services.connections().opened(ctx.channel());
        readClient();
        ctx.fireChannelActive();
    }

    /** Asks for the next message from the client; asked again until one arrives. */
    void readClient() {
        readWanted = true;
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
            exchange.start();
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
