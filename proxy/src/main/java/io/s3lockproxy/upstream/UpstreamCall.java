package io.s3lockproxy.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * A small request the proxy makes on its own behalf (HEAD under a lock, a capability probe): sent
 * with an empty body on a pooled connection, answered with the status and headers; the response
 * body is discarded.
 */
public final class UpstreamCall {
    private final Resigner resigner;
    private final OriginPool origins;

    /** The status and headers of an answer. */
    public record Answer(int status, HttpHeaders headers) {
    }

    public UpstreamCall(Resigner resigner, OriginPool origins) {
        this.resigner = resigner;
        this.origins = origins;
    }

    /** Returns the answer to {@code request} (whose body plan must be NONE or an empty body); call on {@code loop}. */
    public Future<Answer> send(EventLoop loop, UpstreamRequest request) {
        Promise<Answer> promise = loop.newPromise();
        var signed = resigner.sign(request);
        origins.acquire(loop).addListener((Future<UpstreamConnection> f) -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            UpstreamConnection connection = f.getNow();
            connection.start(new Collector(connection, promise));
            connection.write(signed);
            connection.write(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER));
            connection.read();
        });
        return promise;
    }

    private static final class Collector implements ResponseListener {
        private final UpstreamConnection connection;
        private final Promise<Answer> promise;
        private HttpResponse head;

        Collector(UpstreamConnection connection, Promise<Answer> promise) {
            this.connection = connection;
            this.promise = promise;
        }

        @Override
        public void onResponseHead(HttpResponse response) {
            head = response;
            connection.read();
        }

        @Override
        public void onResponseContent(HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            content.release();
            if (last) {
                connection.release();
                promise.trySuccess(new Answer(head.status().code(), head.headers()));
            } else {
                connection.read();
            }
        }

        @Override
        public void onUpstreamWritable() {
        }

        @Override
        public void onUpstreamError(UpstreamException error) {
            promise.tryFailure(error);
        }
    }
}
