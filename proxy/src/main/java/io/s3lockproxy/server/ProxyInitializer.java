package io.s3lockproxy.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;

/** Builds the client-side pipeline in named steps. */
final class ProxyInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 16 * 1024;
    private static final int MAX_HEADER_SIZE = 64 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final ExchangeServices services;
    private final SslContext tls;

    /** {@code tls} is null for plain HTTP. */
    ProxyInitializer(ExchangeServices services, SslContext tls) {
        this.services = services;
        this.tls = tls;
    }

    ProxyInitializer(ExchangeServices services) {
        this(services, null);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        addTlsHandler(ch, p);
        ClientDeadlines deadlines = new ClientDeadlines(services.connections().limits());
        p.addLast("deadlines", deadlines);
        // A response relayed piece by piece leaves in one system call per upstream read, not one per piece.
        p.addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        addHttp1Handlers(p);
        p.addLast("s3", new RequestHandler(services, deadlines));
    }

    private void addTlsHandler(SocketChannel ch, ChannelPipeline p) {
        if (tls != null) {
            // With autoRead off, SslHandler issues its own reads until the handshake is done and
            // after a read that yielded no application data, so the exchange's read() still gets a message.
            p.addLast("tls", tls.newHandler(ch.alloc()));
            p.addLast("tls-failure", TlsFailureHandler.INSTANCE);
        }
    }

    private static void addHttp1Handlers(ChannelPipeline p) {
        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE));
        // One decoded message per read() while autoRead is off: the exchange pulls the body piece by piece.
        p.addLast("flow", new FlowControlHandler());
    }
}
