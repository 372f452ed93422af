package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContinueGateTest {
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        channel.freezeTime();
        ctx = channel.pipeline().firstContext();
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll()).as("nothing left unread").isFalse();
    }

    @Test
    void aClientThatWaitsFor100HearsItOnceWhenTheGateOpens() {
        ContinueGate gate = new ContinueGate(ctx, request(true));
        assertThat(gate.holdsBackBody()).isTrue();

        gate.open();
        gate.open();

        FullHttpResponse continued = channel.readOutbound();
        assertThat(continued.status().code()).isEqualTo(100);
        continued.release();
        assertThat((Object) channel.readOutbound()).as("a second 100 Continue").isNull();
        assertThat(gate.holdsBackBody()).isFalse();
    }

    @Test
    void aClientThatDoesNotWaitHearsNothing() {
        ContinueGate gate = new ContinueGate(ctx, request(false));

        gate.open();

        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(gate.holdsBackBody()).isFalse();
    }

    @Test
    void theUpstreamsContinueRunsTheWaitingStepOnceAndTheEndOfTheWaitDoesNotRunItAgain() {
        ContinueGate gate = new ContinueGate(ctx, request(true));
        AtomicInteger runs = new AtomicInteger();
        HttpRequest upstreamHead = request(false);

        HttpRequest sent = gate.askUpstream(upstreamHead, runs::incrementAndGet);
        assertThat(sent.headers().get("Expect")).isEqualTo("100-continue");
        assertThat(runs).hasValue(0);

        gate.upstreamContinued();
        assertThat(runs).hasValue(1);
        channel.advanceTimeBy(ContinueGate.UPSTREAM_CONTINUE_WAIT_MS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        gate.upstreamContinued();
        assertThat(runs).hasValue(1);
    }

    @Test
    void anUpstreamSilentForTheWholeWaitLetsTheStepRunWhenTheWaitEnds() {
        ContinueGate gate = new ContinueGate(ctx, request(true));
        AtomicInteger runs = new AtomicInteger();
        gate.askUpstream(request(false), runs::incrementAndGet);

        channel.advanceTimeBy(ContinueGate.UPSTREAM_CONTINUE_WAIT_MS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(runs).as("before the wait is over").hasValue(0);
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(runs).hasValue(1);
        gate.upstreamContinued();
        assertThat(runs).as("the upstream's late 100 Continue").hasValue(1);
    }

    private static HttpRequest request(boolean expectsContinue) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/bucket/key");
        request.headers().set("Content-Length", 3);
        if (expectsContinue) {
            request.headers().set("Expect", "100-continue");
        }
        return request;
    }
}
