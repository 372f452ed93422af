package io.s3lockproxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.s3lockproxy.auth.AccessPolicy;
import io.s3lockproxy.auth.CredentialStore;
import io.s3lockproxy.auth.SigV4Verifier;
import io.s3lockproxy.config.ClientCredential;
import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.lock.KeyLock;
import io.s3lockproxy.lock.KeyLocks;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.upstream.OriginPool;
import io.s3lockproxy.upstream.Resigner;
import io.s3lockproxy.upstream.UpstreamCall;
import io.s3lockproxy.upstream.UpstreamTls;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The S3 listener: binds the port and wires the shared services into every client pipeline. */
public final class ProxyServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final KeyLock keyLock;

    private ProxyServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel, KeyLock keyLock) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.keyLock = keyLock;
    }

    /** Starts a server for {@code config} and returns once it listens. */
    public static ProxyServer start(ProxyConfig config) throws InterruptedException {
        return start(config, KeyLocks.create(config.lock(), new LockMetrics()));
    }

    /** Starts a server for {@code config} that serializes writes with {@code keyLock}; the server closes it. */
    public static ProxyServer start(ProxyConfig config, KeyLock keyLock) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, io);
        Class<? extends ServerSocketChannel> serverType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        try {
            Resigner resigner = new Resigner(config.upstream());
            OriginPool origins = new OriginPool(config.upstream(), UpstreamTls.context(config.upstream()), workers, clientType);
            ExchangeServices services = new ExchangeServices(
                    new RequestParser(config.virtualHostDomain()),
                    new SigV4Verifier(credentialStore(config), Clock.systemUTC(),
                            config.auth().maxClockSkew(), config.auth().acceptSessionTokens()),
                    resigner,
                    origins,
                    new RequestPlanner(config.upstream().payload()),
                    keyLock,
                    config.lock().redis() != null,
                    new WriteGuard(new UpstreamCall(resigner, origins), config.lock().mode()),
                    new AccessPolicy(config.credentials()));
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(serverType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ProxyInitializer(services, ServerTls.context(config.tls())))
                    .bind(config.listen().host(), config.listen().port())
                    .sync()
                    .channel();
            return new ProxyServer(boss, workers, channel, keyLock);
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            keyLock.close();
            throw e;
        }
    }

    private static CredentialStore credentialStore(ProxyConfig config) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (ClientCredential c : config.credentials()) {
            keys.put(c.accessKey(), c.secretKey());
        }
        return new CredentialStore(keys);
    }

    /** Returns the port the server listens on (useful when the configuration asked for port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops accepting, then shuts the event loops down. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        keyLock.close();
    }
}
