package io.s3lockproxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * One exchange's {@code Expect: 100-continue}: the client hears 100 Continue only once the proxy
 * wants its body (after authentication, and for a locked write after the lock), so that a refusal
 * reaches it before it sends any. Lives on the exchange's event loop.
 */
final class ContinueGate {
    /** How long an anonymous request's client waits for the upstream's 100 Continue before it hears the proxy's (curl waits 1 s). */
    static final long UPSTREAM_CONTINUE_WAIT_MS = 1000;

    private final ChannelHandlerContext ctx;
    private final boolean expected;
    private boolean sent;
    /** Called once the upstream said 100 Continue, or was silent for the wait; null when not asked. */
    private Runnable onUpstreamContinue;

    ContinueGate(ChannelHandlerContext ctx, HttpRequest head) {
        this.ctx = ctx;
        this.expected = HttpUtil.is100ContinueExpected(head);
    }

    /** Lets the client send its body: answers 100 Continue if it waits for one and has not had it. */
    void open() {
        if (expected && !sent) {
            sent = true;
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    /** Whether the client waits for 100 Continue before its body and never got it: it sends nothing more. */
    boolean holdsBackBody() {
        return expected && !sent;
    }

    /**
     * For an unsigned request, which only the upstream can judge: returns {@code signedHead} asking
     * the upstream for 100 Continue ({@code Expect: 100-continue}), to be sent up now, and runs
     * {@code onContinue} once the upstream says 100 Continue ({@link #upstreamContinued}) or has
     * been silent {@value #UPSTREAM_CONTINUE_WAIT_MS} ms, whichever comes first.
     */
    HttpRequest askUpstream(HttpRequest signedHead, Runnable onContinue) {
        signedHead.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        onUpstreamContinue = onContinue;
        ctx.executor().schedule(this::upstreamContinued, UPSTREAM_CONTINUE_WAIT_MS, TimeUnit.MILLISECONDS);
        return signedHead;
    }

    /** The upstream said 100 Continue (or the wait for it ended): runs the waiting step once. */
    void upstreamContinued() {
        Runnable next = onUpstreamContinue;
        onUpstreamContinue = null;
        if (next != null) {
            next.run();
        }
    }
}
