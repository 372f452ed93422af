package io.s3lockproxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.s3lockproxy.config.HostPort;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The operations listener on {@code admin} (never the S3 port): {@code /healthz}, {@code /readyz},
 * {@code /metrics}, {@code /locks}. One small event loop of its own, so a busy S3 side cannot
 * starve health checks.
 *
 * <pre>
 * HttpServerCodec → HttpObjectAggregator(8 KiB) → AdminHandler
 * </pre>
 */
public final class AdminServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 8 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds {@code address} and serves {@code endpoints}; returns once it listens. */
    public static AdminServer start(HostPort address, AdminEndpoints endpoints) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("codec", new HttpServerCodec())
                                    .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                    .addLast("admin", new AdminHandler(endpoints));
                        }
                    })
                    .bind(address.host(), address.port())
                    .sync()
                    .channel();
            return new AdminServer(group, channel);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Returns the port it listens on (useful when the configuration asked for port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
