package io.s3lockproxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import javax.net.ssl.SSLException;

/**
 * One pooled keep-alive connection to the upstream, used by one exchange at a time.
 *
 * <p>autoRead is off: the exchange asks for each response message with {@link #read()} once it
 * has passed the previous one on, so a slow client slows the upstream instead of filling memory.
 * All methods must be called on the channel's event loop, which is why the fields need no
 * synchronization.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final OriginPool pool;
    private Channel channel;
    private ResponseListener listener;
    private boolean readPending;
    private boolean reusable;
    /** An interim (1xx) response is being skipped: its empty last content is still to come. */
    private boolean skippingInterim;
    /** The pool lent this connection out and it has not come back: it counts against upstream.maxConnections. */
    private boolean lent;

    UpstreamConnection(OriginPool pool) {
        this.pool = pool;
    }

    /** Binds the connection to the exchange that will receive the next response. */
    public void start(ResponseListener listener) {
        this.listener = listener;
        this.reusable = false;
    }

    /** Writes a request message (head, content, or last content) upstream. */
    public ChannelFuture write(Object message) {
        return channel.writeAndFlush(message);
    }

    /** Queues a request message to leave with the next {@link #write}. */
    public void writeUnflushed(Object message) {
        channel.write(message);
    }

    /** Writes request messages upstream in one flush; returns the last one's future. */
    public ChannelFuture writeAll(Object... messages) {
        for (int i = 0; i < messages.length - 1; i++) {
            channel.write(messages[i]);
        }
        return channel.writeAndFlush(messages[messages.length - 1]);
    }

    /** What became of the messages that complete a request, written by {@link #writeCompletingNow}. */
    public enum Completion {
        /** All of it left this process. */
        SENT,
        /** The socket could not take all of it at once: the connection was closed, so the upstream never has it whole. */
        NOT_TAKEN,
        /** The write failed (the upstream had closed or reset the connection): what it did with the rest is unknown. */
        FAILED
    }

    /**
     * Writes the messages that complete a request, only if the socket takes all of them now. When
     * part of them would have to wait in this process (a full socket buffer) the connection is
     * closed at once: the upstream then never receives the whole request, whatever happens to this
     * process later. Call it only once everything written before has left (its write future completed).
     */
    public Completion writeCompletingNow(Object... messages) {
        ChannelFuture last = null;
        for (int i = 0; i < messages.length; i++) {
            last = i == messages.length - 1 ? channel.writeAndFlush(messages[i]) : channel.write(messages[i]);
        }
        if (last.isDone()) {
            return last.isSuccess() ? Completion.SENT : Completion.FAILED;
        }
        abort();
        return Completion.NOT_TAKEN;
    }

    /** Returns whether the socket accepts more without going above its high-water mark. */
    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Asks for the next response message. */
    public void read() {
        readPending = true;
        channel.read();
    }

    void lend() {
        lent = true;
    }

    private void endLoan() {
        if (lent) {
            lent = false;
            pool.loanEnded();
        }
    }

    /** Returns the connection to the pool when the last response allowed reuse, or closes it. */
    public void release() {
        listener = null;
        endLoan();
        if (reusable && channel.isActive() && !outputShutdown()) {
            pool.giveBack(this);
        } else {
            channel.close();
        }
    }

    private boolean outputShutdown() {
        return channel instanceof DuplexChannel duplex && duplex.isOutputShutdown();
    }

    /** Closes the connection mid-exchange so that the upstream never sees a complete request. */
    public void abort() {
        listener = null;
        endLoan();
        channel.close();
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readPending = false;
        ResponseListener l = listener;
        if (l == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (head.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                fail(ctx, UpstreamError.RESET_CONNECTION, head.decoderResult().cause());
                return;
            }
            if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue and other interim answers are not the response: wait for the final one.
                skippingInterim = true;
                l.onInterimResponse(head);
                ReferenceCountUtil.release(msg);
                read();
                return;
            }
            reusable = HttpUtil.isKeepAlive(head);
            l.onResponseHead(head);
        }
        if (skippingInterim && msg instanceof HttpContent interimEnd) {
            skippingInterim = !(msg instanceof LastHttpContent);
            interimEnd.release();
            read();
            return;
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                // The response's chunked framing broke: its end is unknown and the decoder drops the
                // rest of the connection, so the response fails rather than ends, and the connection goes.
                Throwable cause = content.decoderResult().cause();
                content.release();
                fail(ctx, UpstreamError.RESET_CONNECTION, cause);
                return;
            }
            if (msg instanceof LastHttpContent) {
                listener = null;
            }
            l.onResponseContent(content);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && listener != null) {
            listener.onUpstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // FlowControlHandler drops a read that a socket read could not satisfy with a whole message.
        if (readPending && ctx.channel().isActive()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && readPending && listener != null) {
            fail(ctx, UpstreamError.READ_TIMEOUT, null);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pool.forget(this);
        endLoan();
        if (listener != null) {
            fail(ctx, UpstreamError.RESET_CONNECTION, null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamError kind = UpstreamError.RESET_CONNECTION;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                kind = UpstreamError.TLS_ERROR;
            }
        }
        if (listener != null) {
            fail(ctx, kind, cause);
        } else {
            ctx.close();
        }
    }

    private void fail(ChannelHandlerContext ctx, UpstreamError kind, Throwable cause) {
        ResponseListener l = listener;
        listener = null;
        ctx.close();
        if (l != null) {
            l.onUpstreamError(new UpstreamException(kind, cause));
        }
    }
}
