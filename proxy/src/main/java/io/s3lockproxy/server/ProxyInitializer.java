package io.s3lockproxy.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;

/** Builds the client-side pipeline in named steps. */
final class ProxyInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_INITIAL_LINE = 16 * 1024;
    private static final int MAX_HEADER_SIZE = 64 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final ExchangeServices services;

    ProxyInitializer(ExchangeServices services) {
        this.services = services;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        addHttp1Handlers(p);
        addS3Handlers(p);
    }

    private static void addHttp1Handlers(ChannelPipeline p) {
        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE));
        // One decoded message per read() while autoRead is off: the exchange pulls the body piece by piece.
        p.addLast("flow", new FlowControlHandler());
    }

    private void addS3Handlers(ChannelPipeline p) {
        p.addLast("s3", new RequestHandler(services));
    }
}
