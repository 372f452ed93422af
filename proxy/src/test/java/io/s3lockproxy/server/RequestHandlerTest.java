package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import io.s3lockproxy.auth.AccessPolicy;
import io.s3lockproxy.auth.CredentialStore;
import io.s3lockproxy.auth.SigV4Verifier;
import io.s3lockproxy.config.ClientLimits;
import io.s3lockproxy.config.LockConfig;
import io.s3lockproxy.config.PayloadForwarding;
import io.s3lockproxy.lock.LockService;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.config.UpstreamConfig;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.upstream.OriginPool;
import io.s3lockproxy.upstream.Resigner;
import io.s3lockproxy.upstream.UpstreamCall;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests the proxy answers itself, before any upstream connection: no sockets needed. */
class RequestHandlerTest {
    private EmbeddedChannel channel;
    private final LockService lockService = LockServices.create(new LockConfig(null, Duration.ofSeconds(30), Duration.ofSeconds(1),
            LockConfig.Mode.SERIALIZE, LockConfig.OnRedisDown.FAIL), new LockMetrics());

    @BeforeAll
    static void paranoidLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private EmbeddedChannel channel() {
        return channel(ClientLimits.DEFAULT);
    }

    private EmbeddedChannel channel(ClientLimits limits) {
        UpstreamConfig upstream = new UpstreamConfig(URI.create("http://127.0.0.1:1"), "us-east-1", "u", "s", true,
                PayloadForwarding.AUTO, Duration.ofSeconds(1), Duration.ofSeconds(1));
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.config().setOption(ChannelOption.AUTO_READ, false);
        Resigner resigner = new Resigner(upstream);
        OriginPool origins = new OriginPool(upstream, null, ch.eventLoop(), NioSocketChannel.class);
        UpstreamCall calls = new UpstreamCall(resigner, origins);
        Admission admission = new Admission(new RequestParser(null),
                new SigV4Verifier(new CredentialStore(Map.of("k", "s")), Clock.systemUTC(), Duration.ofMinutes(15), false),
                AccessPolicy.allowAll(), new RequestPlanner(PayloadForwarding.AUTO));
        WriteServices writes = new WriteServices(lockService, false,
                new ConditionCheck(calls, new StorageProtections(calls, false), false), new LongAdder());
        ExchangeServices services = new ExchangeServices(admission, writes, resigner, origins, RequestObserver.NONE,
                new ClientConnections(limits));
        ClientDeadlines deadlines = new ClientDeadlines(limits);
        ch.pipeline().addLast(deadlines, new RequestHandler(services, deadlines));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    @AfterEach
    void finish() {
        lockService.close();
        if (channel != null) {
            // Nothing may be left over: every buffer the handler got or made was released or written.
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    private static <T extends io.netty.handler.codec.http.HttpRequest> T withHost(T request) {
        request.headers().set("Host", "proxy.test");
        return request;
    }

    @Test
    void anHttp11RequestWithoutOrWithTwoHostHeadersIs400() {
        channel = channel();
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bucket/key"));
        FullHttpResponse missing = response();
        assertThat(missing.status().code()).isEqualTo(400);
        assertThat(body(missing)).contains("<Code>InvalidRequest</Code>").contains("Host");
        DefaultFullHttpRequest two = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bucket/key");
        two.headers().add("Host", "a").add("Host", "b");
        channel.writeInbound(two);
        assertThat(response().status().code()).isEqualTo(400);
    }

    private FullHttpResponse response() {
        Object out = channel.readOutbound();
        assertThat(out).isInstanceOf(FullHttpResponse.class);
        return (FullHttpResponse) out;
    }

    private static String body(FullHttpResponse r) {
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    @Test
    void anonymousGetIs403AndTheConnectionServesTheNextRequest() {
        channel = channel();
        channel.writeInbound(withHost(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bucket/key")));
        FullHttpResponse first = response();
        assertThat(first.status().code()).isEqualTo(403);
        assertThat(first.headers().get("Connection")).isNull();
        String requestId = first.headers().get("x-amz-request-id");
        assertThat(body(first)).contains("<Code>AccessDenied</Code>", "<Resource>/bucket/key</Resource>",
                "<RequestId>" + requestId + "</RequestId>");
        assertThat(channel.isOpen()).isTrue();

        channel.writeInbound(withHost(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/b/bad%zz")));
        FullHttpResponse second = response();
        assertThat(second.status().code()).isEqualTo(400);
        assertThat(second.headers().get("x-amz-request-id")).isNotEqualTo(requestId);
        assertThat(body(second)).contains("<Code>InvalidURI</Code>");
    }

    @Test
    void headErrorHasStatusAndHeadersButNoBody() {
        channel = channel();
        channel.writeInbound(withHost(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/bucket/key")));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(403);
        assertThat(r.headers().get("x-amz-request-id")).isNotBlank();
        assertThat(body(r)).isEmpty();
    }

    @Test
    void aPutRefusedBeforeItsBodyDrainsTheBodyThenCloses() {
        channel = channel();
        DefaultHttpRequest head = withHost(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/bucket/key"));
        head.headers().set("Content-Length", 5);
        channel.writeInbound(head);
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(403);
        assertThat(r.headers().get("Connection")).isEqualToIgnoringCase("close");
        body(r);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("still reading the body, so the client reads the answer, not a reset").isTrue();
        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[3])));
        assertThat(channel.isOpen()).isTrue();
        channel.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[2])));
        assertThat(channel.isOpen()).as("closed once the body was dropped").isFalse();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void aBodyThatNeverComesIsDrainedOnlyForAWhile() {
        channel = channel();
        DefaultHttpRequest head = withHost(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/bucket/key"));
        head.headers().set("Content-Length", 5);
        channel.writeInbound(head);
        body(response());
        channel.advanceTimeBy(4_999, java.util.concurrent.TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(1, java.util.concurrent.TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aPutRefusedBeforeItsExpectedBodyClosesAtOnce() {
        channel = channel();
        DefaultHttpRequest head = withHost(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/bucket/key"));
        head.headers().set("Content-Length", 5).set("Expect", "100-continue");
        channel.writeInbound(head);
        body(response());
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("the client holds its body back: nothing to drain").isFalse();
    }

    @Test
    void unparseableRequestIs400InvalidRequest() {
        channel = channel();
        DefaultFullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bucket/key");
        bad.setDecoderResult(io.netty.handler.codec.DecoderResult.failure(new IllegalArgumentException("bad header")));
        channel.writeInbound(bad);
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(400);
        assertThat(body(r)).contains("<Code>InvalidRequest</Code>");
    }
}
