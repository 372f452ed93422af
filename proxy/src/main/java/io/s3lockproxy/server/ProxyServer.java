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
import io.netty.util.NettyRuntime;
import io.s3lockproxy.auth.AccessPolicy;
import io.s3lockproxy.auth.CredentialStore;
import io.s3lockproxy.auth.SigV4Verifier;
import io.s3lockproxy.config.ClientCredential;
import io.s3lockproxy.config.LockConfig;
import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.lock.LockService;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.upstream.OriginPool;
import io.s3lockproxy.upstream.Resigner;
import io.s3lockproxy.upstream.UpstreamCall;
import io.s3lockproxy.upstream.UpstreamTls;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 listener: binds the port and wires the shared services into every client pipeline.
 *
 * <p>Shutdown ({@link #shutdownGracefully()}): stop accepting, let the requests in flight finish
 * within the grace period (each connection closes after its current exchange, idle ones at once),
 * then close what is left (their exchanges abort the upstream request and release their locks),
 * stop the event loops, and close the lock engine (which gives back any lease still held).
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    private static final long DRAIN_POLL_MS = 20;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final LockService lockService;
    private final ClientConnections connections;
    private final WriteServices writes;
    private final StorageProtections protections;
    private final Duration grace;
    private final AtomicBoolean stopping = new AtomicBoolean();

    private ProxyServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel, LockService lockService,
                        ClientConnections connections, WriteServices writes, StorageProtections protections,
                        Duration grace) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.lockService = lockService;
        this.connections = connections;
        this.writes = writes;
        this.protections = protections;
        this.grace = grace;
    }

    /** Starts a server for {@code config} and returns once it listens. */
    public static ProxyServer start(ProxyConfig config) throws InterruptedException {
        return start(config, LockServices.create(config.lock(), new LockMetrics()));
    }

    /** Starts a server for {@code config} that serializes writes with {@code lockService}; the server closes it. */
    public static ProxyServer start(ProxyConfig config, LockService lockService) throws InterruptedException {
        return start(config, lockService, RequestObserver.NONE);
    }

    /**
     * Starts a server for {@code config} that serializes writes with {@code lockService} (the server
     * closes it) and tells {@code observer} about every request when it ends.
     */
    public static ProxyServer start(ProxyConfig config, LockService lockService, RequestObserver observer)
            throws InterruptedException {
        return start(config, lockService, observer, new Resigner(config.upstream()));
    }

    /** As {@link #start(ProxyConfig, LockService, RequestObserver)}, signing upstream requests with {@code resigner}. */
    static ProxyServer start(ProxyConfig config, LockService lockService, RequestObserver observer, Resigner resigner)
            throws InterruptedException {
        // Not io_uring: its socket writes complete after the flush, so a locked write's commit check
        // (the socket takes the last byte at once, or nothing is committed) would refuse every write.
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        // One loop per processor, as nginx runs one worker per core: nothing on a loop blocks, and
        // Netty's default of two per processor left loops sleeping and waking each other for less
        // work per wake-up (BENCHMARKS §1.3). -Dio.netty.availableProcessors=N changes the count.
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NettyRuntime.availableProcessors(), io);
        Class<? extends ServerSocketChannel> serverType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        ClientConnections connections = new ClientConnections(config.client());
        try {
            OriginPool origins = new OriginPool(config.upstream(), UpstreamTls.context(config.upstream()), workers, clientType);
            UpstreamCall calls = new UpstreamCall(resigner, origins);
            boolean fenced = config.lock().mode() == LockConfig.Mode.FENCED;
            StorageProtections protections = new StorageProtections(calls, fenced);
            WriteServices writes = new WriteServices(lockService, config.lock().redis() != null,
                    new ConditionCheck(calls, protections, fenced), new LongAdder());
            Admission admission = new Admission(new RequestParser(config.virtualHostDomain()),
                    new SigV4Verifier(credentialStore(config), Clock.systemUTC(), config.auth()),
                    new AccessPolicy(config.credentials()), new RequestPlanner(config.upstream().payload()));
            ExchangeServices services = new ExchangeServices(admission, writes, resigner, origins, observer, connections);
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
            return new ProxyServer(boss, workers, channel, lockService, connections, writes, protections,
                    config.shutdownGrace());
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            lockService.close();
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

    /** Returns how many stale writes the storage refused because of a condition the proxy added (fenced mode). */
    public long fenceRejections() {
        return writes.fenceRejections().sum();
    }

    /**
     * Returns, per bucket probed so far, what its upstream enforces of the conditions fencing
     * relies on, in words: {@code {"writes": "atomic at commit", "copies": "not enforced", …, "deletes": "enforced", "etags": "quoted"}}.
     */
    public Map<String, Map<String, String>> storageProtection() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        protections.snapshot().forEach((bucket, p) -> out.put(bucket,
                Map.of("writes", p.writes().description(), "copies", p.copies().description(),
                        "completes", p.completes().description(), "deletes", p.deletes().description(),
                        "etags", p.etags().description())));
        return out;
    }

    /** Returns whether a shutdown has begun (the server then is not ready for new work). */
    public boolean stopping() {
        return stopping.get();
    }

    /** Shuts down with the configured grace period ({@code shutdown.graceMs}); see the class comment. */
    public void shutdownGracefully() {
        shutdown(grace);
    }

    /** Shuts down without a grace period: requests in flight are cut at once. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /**
     * Stops accepting, waits up to {@code grace} for the requests in flight, closes the remaining
     * connections, stops the event loops and closes the lock engine. Runs once; later calls return at once.
     */
    public void shutdown(Duration grace) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        connections.drain();
        long deadline = System.nanoTime() + grace.toNanos();
        while (connections.open() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(DRAIN_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int cut = connections.open();
        if (cut > 0) {
            LOG.warn("shutdown: closing {} connection(s) still busy after the {} ms grace period", cut, grace.toMillis());
        }
        connections.closeAll();
        // Pending tasks (the closed connections' aborts and lock releases) run before the loops stop.
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        lockService.close();
    }
}
