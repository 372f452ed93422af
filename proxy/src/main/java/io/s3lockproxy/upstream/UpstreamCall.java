package io.s3lockproxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
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
        return send(loop, request, Unpooled.EMPTY_BUFFER, null);
    }

    /** Returns the answer to {@code request} sent with {@code body}, which must match the declared length; call on {@code loop}. */
    public Future<Answer> send(EventLoop loop, UpstreamRequest request, ByteBuf body) {
        return send(loop, request, body, null);
    }

    /**
     * Sends {@code request} with all of its {@code body} but the last byte, then waits — for the
     * upstream's 100 Continue (at most {@code continueWait}; the request must carry
     * {@code Expect: 100-continue}), then {@code pause} more for it to start on the request — runs
     * {@code between} and, once the future that returns completes, sends the last byte. What
     * {@code between} does happens while the upstream holds all of the request but its end. Call on
     * {@code loop}; {@code body} must hold at least one byte and match the declared length.
     */
    public Future<Answer> sendWithPause(EventLoop loop, UpstreamRequest request, ByteBuf body,
                                        Supplier<Future<?>> between, Duration continueWait, Duration pause) {
        return send(loop, request, body, new Interlude(between, continueWait, pause));
    }

    /** What {@link #sendWithPause} does between the start of a request and its last byte. */
    private record Interlude(Supplier<Future<?>> between, Duration continueWait, Duration pause) {
    }

    private Future<Answer> send(EventLoop loop, UpstreamRequest request, ByteBuf body, Interlude interlude) {
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
            if (interlude == null) {
                collector.sendBody();
                return;
            }
            collector.onContinue(() -> {
                collector.sendAllButLastByte();
                loop.schedule(() -> interlude.between().get().addListener(done -> collector.sendBody()),
                        interlude.pause().toNanos(), TimeUnit.NANOSECONDS);
            });
            loop.schedule(collector::fireContinue, interlude.continueWait().toNanos(), TimeUnit.NANOSECONDS);
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

        void sendAllButLastByte() {
            if (unsent != null && unsent.readableBytes() > 1 && !promise.isDone()) {
                connection.write(new DefaultHttpContent(unsent.readRetainedSlice(unsent.readableBytes() - 1)));
            }
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
