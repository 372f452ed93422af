package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.s3lockproxy.config.ClientLimits;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches one client connection for stalls ({@link StallClock}) and reports the first one. Sits
 * in front of the HTTP decoder, where it sees every byte the client sends; the request handler
 * tells it what the proxy waits for. One check is scheduled at a time, for the moment the
 * connection would stall; when it runs early (bytes arrived meanwhile) it schedules the next.
 */
final class ClientDeadlines extends ChannelInboundHandlerAdapter {
    private final StallClock clock;
    private Consumer<StallClock.Stall> onStall = stall -> { };
    private ChannelHandlerContext ctx;
    private Future<?> check;
    private long checkAt;
    /** After an answer to a stalled head: what still arrives is read and dropped until the connection closes. */
    private boolean discarding;

    ClientDeadlines(ClientLimits limits) {
        this.clock = new StallClock(limits);
    }

    /** Sets what runs, on the event loop, when the connection stalls. */
    void onStall(Consumer<StallClock.Stall> action) {
        this.onStall = action;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discarding) {
            ReferenceCountUtil.release(msg);
            ctx.read();
            return;
        }
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            clock.bytesArrived(now());
            if (clock.awaiting()) {
                // The first byte of a head brings its deadline closer than the idle one.
                schedule();
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        ctx.fireChannelInactive();
    }

    /** The proxy waits for the next request head. */
    void awaitHead() {
        clock.awaitHead(now());
        schedule();
    }

    /** The proxy waits for more of the current request's body. */
    void awaitBody() {
        clock.awaitBody(now());
        schedule();
    }

    /** A whole request head arrived. */
    void headArrived() {
        clock.headArrived();
    }

    /** The proxy waits for nothing from the client until told otherwise. */
    void awaitNothing() {
        clock.awaitNothing();
    }

    /** Makes sure a check runs no later than the moment the connection would stall. */
    /**
     * Ends the connection the way nginx's lingering close does: no more output, and whatever the client
     * still sends is read and dropped for at most {@code lingerMillis}, so that the client reads the
     * answer already written instead of a reset.
     */
    void lingerThenClose(long lingerMillis) {
        discarding = true;
        clock.stop();
        if (ctx.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
        ctx.executor().schedule(() -> ctx.close(), lingerMillis, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    private void schedule() {
        long now = now();
        long delay = clock.remainingAt(now);
        if (check != null) {
            if (checkAt - (now + delay) <= 0) {
                return;
            }
            check.cancel(false);
        }
        if (ctx.channel().isActive()) {
            checkAt = now + delay;
            check = ctx.executor().schedule(this::check, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        check = null;
        if (!clock.awaiting() || !ctx.channel().isActive()) {
            return;
        }
        StallClock.Stall stall = clock.stallAt(now());
        if (stall == StallClock.Stall.NONE) {
            schedule();
        } else {
            onStall.accept(stall);
        }
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
