package io.s3lockproxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.s3lockproxy.config.UpstreamConfig;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive connections to the upstream, one idle list per event loop: an exchange always gets a
 * connection that lives on its own client channel's loop, so neither side ever needs a lock. At most
 * {@code upstream.maxConnections} are lent out at once (idle ones aside, at most
 * {@value #MAX_IDLE_PER_LOOP} per loop); beyond that an acquisition fails with
 * {@link UpstreamError#TOO_MANY_CONNECTIONS} rather than queueing.
 */
public final class OriginPool {
    private static final int MAX_IDLE_PER_LOOP = 64;

    private final UpstreamConfig upstream;
    private final SslContext ssl;
    private final Class<? extends SocketChannel> channelType;
    /** Filled once at construction and only read afterwards; each deque is touched by its own loop only. */
    private final Map<EventExecutor, Deque<UpstreamConnection>> idle = new IdentityHashMap<>();
    private final AtomicInteger lent = new AtomicInteger();

    /** Creates a pool for the loops of {@code group}; {@code ssl} is null for plain HTTP upstreams. */
    public OriginPool(UpstreamConfig upstream, SslContext ssl, EventLoopGroup group,
                      Class<? extends SocketChannel> channelType) {
        this.upstream = upstream;
        this.ssl = ssl;
        this.channelType = channelType;
        for (EventExecutor loop : group) {
            idle.put(loop, new ArrayDeque<>());
        }
    }

    /** Returns a connection on {@code loop}: an idle one, or a new one once it is connected. Call on {@code loop}. */
    public Future<UpstreamConnection> acquire(EventLoop loop) {
        assert loop.inEventLoop() : "acquire must run on the exchange's event loop";
        if (!reserveLoan()) {
            return loop.newFailedFuture(new UpstreamException(UpstreamError.TOO_MANY_CONNECTIONS,
                    new IllegalStateException(upstream.maxConnections() + " upstream connections are in use")));
        }
        Deque<UpstreamConnection> free = idle.get(loop);
        UpstreamConnection pooled;
        while ((pooled = free.pollFirst()) != null) {
            if (pooled.channel().isActive()) {
                pooled.lend();
                return loop.newSucceededFuture(pooled);
            }
        }
        Promise<UpstreamConnection> promise = loop.newPromise();
        UpstreamConnection connection = new UpstreamConnection(this);
        new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.AUTO_READ, false)
                // A write the upstream no longer reads (it answered early, e.g. 400 BadDigest on a
                // header, and closed) only ends the output: its answer is still read and relayed.
                .option(ChannelOption.AUTO_CLOSE, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) upstream.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc(), upstream.endpoint().getHost(), upstream.port()));
                        }
                        p.addLast("codec", new HttpClientCodec(4096, 64 * 1024, 64 * 1024));
                        p.addLast("flow", new FlowControlHandler());
                        // All-idle, not reader-idle: while a body streams upstream the upstream owes no
                        // answer yet, so only a connection silent in both directions has timed out.
                        p.addLast("idle", new IdleStateHandler(0, 0, upstream.readTimeout().toMillis(), TimeUnit.MILLISECONDS));
                        p.addLast("exchange", connection);
                    }
                })
                .connect(upstream.endpoint().getHost(), upstream.port())
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        loanEnded();
                        promise.setFailure(new UpstreamException(UpstreamError.CONNECT_ERROR, f.cause()));
                    } else if (ssl == null) {
                        connection.lend();
                        promise.setSuccess(connection);
                    } else {
                        awaitHandshake(f.channel(), connection, promise);
                    }
                });
        return promise;
    }

    private boolean reserveLoan() {
        int n;
        do {
            n = lent.get();
            if (n >= upstream.maxConnections()) {
                return false;
            }
        } while (!lent.compareAndSet(n, n + 1));
        return true;
    }

    /** A lent connection came back, closed, or never came to be. */
    void loanEnded() {
        lent.decrementAndGet();
    }

    /**
     * Lends the connection only once TLS is up, so that a certificate problem is a connect-time
     * TLS_ERROR rather than a failure in the middle of a request. autoRead is off on this channel
     * and nothing else reads before the promise completes: SslHandler issues its own reads while a
     * handshake is pending (checked by TlsIT, which would hang here otherwise).
     */
    private void awaitHandshake(Channel channel, UpstreamConnection connection, Promise<UpstreamConnection> promise) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        tls.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                connection.lend();
                promise.setSuccess(connection);
            } else {
                loanEnded();
                channel.close();
                promise.setFailure(new UpstreamException(UpstreamError.TLS_ERROR, h.cause()));
            }
        });
    }

    void giveBack(UpstreamConnection connection) {
        Deque<UpstreamConnection> free = idle.get(connection.channel().eventLoop());
        if (free.size() >= MAX_IDLE_PER_LOOP) {
            connection.channel().close();
        } else {
            free.addFirst(connection);
        }
    }

    void forget(UpstreamConnection connection) {
        Deque<UpstreamConnection> free = idle.get(connection.channel().eventLoop());
        if (free != null) {
            free.remove(connection);
        }
    }
}
