package io.s3lockproxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small request the proxy makes on its own behalf (HEAD under a lock, a capability probe): sent
 * on a pooled connection, answered with the status, the headers and the start of the body (enough
 * for an S3 error code; the rest is discarded). Every failure, a signer that throws included,
 * completes the answer's future.
 */
public final class UpstreamCall {
    /** How much of an answer's body is kept: an S3 error document fits. */
    private static final int KEPT_BODY_BYTES = 8 * 1024;
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]*)</Code>");

    private final Resigner resigner;
    private final OriginPool origins;

    /** The status, headers and the first {@value #KEPT_BODY_BYTES} bytes of the body of an answer. */
    public record Answer(int status, HttpHeaders headers, String body) {
        /** Returns the S3 error code in the body ({@code <Code>…</Code>}), or null. */
        public String errorCode() {
            Matcher m = ERROR_CODE.matcher(body);
            return m.find() ? m.group(1) : null;
        }
    }

    public UpstreamCall(Resigner resigner, OriginPool origins) {
        this.resigner = resigner;
        this.origins = origins;
    }

    /** Returns the answer to {@code request} (whose body plan must be NONE or an empty body); call on {@code loop}. */
    public Future<Answer> send(EventLoop loop, UpstreamRequest request) {
        return send(loop, request, Unpooled.EMPTY_BUFFER, null, Duration.ZERO);
    }

    /**
     * Sends {@code request} with {@code Expect: 100-continue} and holds its {@code body} back until
     * the upstream has answered 100 Continue (or {@code continueWait} passed without it), then until
     * the future {@code between} returns completes, and only then sends the body: what happens in
     * between happens after the upstream read the request head and before it has the whole request.
     * The request must declare {@code body}'s length and carry the Expect header. Call on {@code loop}.
     */
    public Future<Answer> sendWithPause(EventLoop loop, UpstreamRequest request, ByteBuf body,
                                        Supplier<Future<?>> between, Duration continueWait) {
        return send(loop, request, body, between, continueWait);
    }

    private Future<Answer> send(EventLoop loop, UpstreamRequest request, ByteBuf body, Supplier<Future<?>> between,
                                Duration continueWait) {
        Promise<Answer> promise = loop.newPromise();
        HttpRequest signed;
        try {
            signed = resigner.sign(request);
        } catch (RuntimeException e) {
            body.release();
            return promise.setFailure(e);
        }
        origins.acquire(loop).addListener((Future<UpstreamConnection> f) -> {
            if (!f.isSuccess()) {
                body.release();
                promise.tryFailure(f.cause());
                return;
            }
            UpstreamConnection connection = f.getNow();
            Collector collector = new Collector(connection, promise, body);
            connection.start(collector);
            connection.write(signed);
            connection.read();
            if (between == null) {
                collector.sendBody();
                return;
            }
            collector.onContinue(() -> between.get().addListener(done -> collector.sendBody()));
            loop.schedule(collector::fireContinue, continueWait.toNanos(), TimeUnit.NANOSECONDS);
        });
        return promise;
    }

    private static final class Collector implements ResponseListener {
        private final UpstreamConnection connection;
        private final Promise<Answer> promise;
        private final StringBuilder body = new StringBuilder();
        /** The request body not sent yet; null once sent or dropped. */
        private ByteBuf unsent;
        private HttpResponse head;
        private Runnable onContinue;

        Collector(UpstreamConnection connection, Promise<Answer> promise, ByteBuf requestBody) {
            this.connection = connection;
            this.promise = promise;
            this.unsent = requestBody;
        }

        void onContinue(Runnable action) {
            this.onContinue = action;
        }

        void sendBody() {
            ByteBuf bytes = unsent;
            unsent = null;
            if (bytes != null && !promise.isDone()) {
                connection.write(new DefaultLastHttpContent(bytes));
            } else if (bytes != null) {
                bytes.release();
            }
        }

        void fireContinue() {
            Runnable action = onContinue;
            onContinue = null;
            if (action != null && !promise.isDone()) {
                action.run();
            }
        }

        @Override
        public void onInterimResponse(HttpResponse interim) {
            if (interim.status().code() == 100) {
                fireContinue();
            }
        }

        @Override
        public void onResponseHead(HttpResponse response) {
            head = response;
            onContinue = null;
            connection.read();
        }

        @Override
        public void onResponseContent(HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            ByteBuf bytes = content.content();
            int keep = Math.min(bytes.readableBytes(), KEPT_BODY_BYTES - body.length());
            if (keep > 0) {
                body.append(bytes.toString(bytes.readerIndex(), keep, StandardCharsets.UTF_8));
            }
            content.release();
            if (last) {
                ByteBuf dropped = unsent;
                unsent = null;
                if (dropped == null) {
                    connection.release();
                } else {
                    // Answered before the whole request was sent: the connection is mid-request.
                    dropped.release();
                    connection.abort();
                }
                promise.trySuccess(new Answer(head.status().code(), head.headers(), body.toString()));
            } else {
                connection.read();
            }
        }

        @Override
        public void onUpstreamWritable() {
        }

        @Override
        public void onUpstreamError(UpstreamException error) {
            ByteBuf dropped = unsent;
            unsent = null;
            if (dropped != null) {
                dropped.release();
            }
            promise.tryFailure(error);
        }
    }
}
