package io.s3lockproxy.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.metrics.ProxyMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dispatches admin requests by path through a table; every answer is small and complete. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final String TEXT = "text/plain; charset=utf-8";

    private final AdminEndpoints endpoints;
    private final Map<String, BiConsumer<ChannelHandlerContext, FullHttpRequest>> routes = Map.of(
            "/healthz", this::health,
            "/readyz", this::ready,
            "/metrics", this::metrics,
            "/locks", this::locks);

    AdminHandler(AdminEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        var route = routes.get(path);
        if (route == null) {
            send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found; try /healthz /readyz /metrics /locks\n");
        } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            send(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "GET only\n");
        } else {
            route.accept(ctx, request);
        }
    }

    /** Liveness: the process serves requests. */
    private void health(ChannelHandlerContext ctx, FullHttpRequest request) {
        send(ctx, request, HttpResponseStatus.OK, TEXT, "ok\n");
    }

    /** Readiness: the checks may block (TCP connect, Redis PING), so they run off this loop. */
    private void ready(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        endpoints.readiness().problem().whenComplete((problem, error) -> ctx.executor().execute(() -> {
            String reason = error != null ? "readiness check failed: " + error : problem;
            if (reason == null) {
                write(ctx, keepAlive, head, HttpResponseStatus.OK, TEXT, "ready\n");
            } else {
                write(ctx, keepAlive, head, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "not ready: " + reason + "\n");
            }
        }));
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest request) {
        send(ctx, request, HttpResponseStatus.OK, ProxyMetrics.contentType(), endpoints.metrics().scrape());
    }

    private void locks(ChannelHandlerContext ctx, FullHttpRequest request) {
        send(ctx, request, HttpResponseStatus.OK, "application/json", LocksJson.of(endpoints.heldLocks().get(),
                endpoints.storageProtection().get()));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                             String contentType, String body) {
        write(ctx, HttpUtil.isKeepAlive(request), request.method().equals(HttpMethod.HEAD), status, contentType, body);
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, boolean head, HttpResponseStatus status,
                              String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection failed: {}", cause.toString());
        ctx.close();
    }
}
