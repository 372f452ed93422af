package io.s3lockproxy.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/** Receives one upstream response; every call happens on the connection's event loop. */
public interface ResponseListener {

    /** An interim (1xx) answer arrived, e.g. 100 Continue; the final response is still to come. */
    default void onInterimResponse(HttpResponse interim) {
    }

    /** The status line and headers of the final response arrived. */
    void onResponseHead(HttpResponse head);

    /** A piece of the body arrived (a {@link io.netty.handler.codec.http.LastHttpContent} ends it); the listener owns it. */
    void onResponseContent(HttpContent content);

    /** The upstream socket drained below its high-water mark after having been above it. */
    void onUpstreamWritable();

    /** The exchange failed before the response was complete. */
    void onUpstreamError(UpstreamException error);
}
