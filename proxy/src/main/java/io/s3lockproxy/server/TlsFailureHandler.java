package io.s3lockproxy.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right behind the server's SslHandler: a client that fails the handshake (wrong trust,
 * plain HTTP to the HTTPS port) gets its connection closed and one short log line. The exception is
 * not passed on, because Netty's {@link NotSslRecordException} message is a hex dump of what the
 * client sent — for plain HTTP, its Authorization header — and no signature may reach a log.
 */
@ChannelHandler.Sharable
final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
    static final TlsFailureHandler INSTANCE = new TlsFailureHandler();
    private static final Logger LOG = LoggerFactory.getLogger(TlsFailureHandler.class);

    private TlsFailureHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                LOG.info("closed a connection from {}: not TLS (plain HTTP to the HTTPS listener?)", ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            if (t instanceof SSLException) {
                LOG.info("closed a connection from {}: TLS failed: {}", ctx.channel().remoteAddress(), t.getMessage());
                ctx.close();
                return;
            }
        }
        ctx.fireExceptionCaught(cause);
    }
}
