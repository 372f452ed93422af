package io.s3lockproxy.server;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.s3lockproxy.config.ClientLimits;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open client connections and their limits: how many may be open ({@link #opened}), and for a
 * graceful shutdown: once {@link #drain()} is called, idle connections close at once and busy ones
 * close as soon as their current exchange ends.
 */
final class ClientConnections {
    private final ChannelGroup channels = new DefaultChannelGroup("s3lp-clients", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    private final ClientLimits limits;
    private volatile boolean draining;

    ClientConnections(ClientLimits limits) {
        this.limits = limits;
    }

    /** Connections with the default limits. */
    ClientConnections() {
        this(ClientLimits.DEFAULT);
    }

    /** Returns the timeouts and limits client connections live by. */
    ClientLimits limits() {
        return limits;
    }

    /**
     * Tracks {@code channel} until it closes; a connection opened while draining is closed at once.
     * Returns false when the connection is beyond {@code client.maxConnections}: it may only be refused.
     */
    boolean opened(Channel channel) {
        channels.add(channel);
        int n = open.incrementAndGet();
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        if (draining) {
            channel.close();
        }
        return n <= limits.maxConnections();
    }

    /** Returns whether the server is shutting down: connections end after their current exchange. */
    boolean draining() {
        return draining;
    }

    /** Asks every connection to end after its current exchange (idle ones end now). */
    void drain() {
        draining = true;
        for (Channel channel : channels) {
            RequestHandler handler = channel.pipeline().get(RequestHandler.class);
            if (handler == null) {
                channel.close();
            } else {
                channel.eventLoop().execute(handler::closeWhenIdle);
            }
        }
    }

    /** Returns the number of connections still open. */
    int open() {
        return channels.size();
    }

    /** Closes every connection still open (their exchanges abort); returns when they are closed. */
    void closeAll() {
        channels.close().awaitUninterruptibly();
    }
}
