package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.s3.ErrorXml;
import io.s3lockproxy.s3.S3Exception;
import java.nio.charset.StandardCharsets;

/** Builds the HTTP responses for errors the proxy answers itself. */
final class ErrorResponses {
    private ErrorResponses() {
    }

    /** Returns the S3 error response; a HEAD request gets the status and headers without a body, as from S3. */
    static FullHttpResponse of(ByteBufAllocator alloc, S3Exception error, String resource, String requestId,
                               boolean head) {
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(ErrorXml.render(error, resource, requestId).getBytes(StandardCharsets.UTF_8));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(error.code().status()), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/xml")
                .set("x-amz-request-id", requestId)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (error.code().status() == 503) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        }
        return response;
    }
}
