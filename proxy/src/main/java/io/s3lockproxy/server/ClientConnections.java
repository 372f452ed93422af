package io.s3lockproxy.server;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The open client connections, for a graceful shutdown: once {@link #drain()} is called, idle
 * connections close at once and busy ones close as soon as their current exchange ends.
 */
final class ClientConnections {
    private final ChannelGroup channels = new DefaultChannelGroup("s3lp-clients", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;

    /** Tracks {@code channel} until it closes; a connection opened while draining is closed at once. */
    void opened(Channel channel) {
        channels.add(channel);
        if (draining) {
            channel.close();
        }
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
