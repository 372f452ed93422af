package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.s3lockproxy.s3.PostFormReader;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;

/**
 * One exchange's browser-form upload (POST Object) from its first byte to S3's answer: the form's
 * fields read up to the file (they name the key and carry the signature, so the request is
 * admitted only then), the file's first bytes kept until the upstream is connected, and the
 * upstream's 200 to the PutObject turned into the answer the form asked for.
 */
final class FormUpload {
    private final S3Request post;
    private final long contentLength;
    private PostFormReader fields;
    private PostObjectForm form;
    /** The file's bytes that came with the form's fields, relayed once the upstream is connected. */
    private HttpContent firstFileBytes;
    /** S3's answer to the form, sent once the upstream's 200 has been read through. */
    private FullHttpResponse answer;

    /**
     * Begins reading the form of {@code post}.
     *
     * @throws S3Exception 411 when the POST has no Content-Length (the file's length comes from it)
     */
    FormUpload(S3Request post, HttpRequest head) {
        this.contentLength = HttpUtil.getContentLength(head, -1L);
        if (contentLength < 0) {
            throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
        }
        this.post = post;
        this.fields = new PostFormReader(PostFormReader.boundaryOf(post.headers().get(HttpHeaderNames.CONTENT_TYPE)));
    }

    /** Returns the POST request as parsed, before its form was read. */
    S3Request post() {
        return post;
    }

    /**
     * Reads the next piece of the form; returns the upload the form describes once its fields are
     * complete (the file has begun), or null while they are not.
     *
     * @throws S3Exception 400 when the form is malformed, or ends before its file
     */
    PostObjectForm read(ByteBuf piece, boolean last) {
        if (!fields.add(piece)) {
            if (last) {
                throw new S3Exception(S3ErrorCode.MALFORMED_POST_REQUEST, "The form ended before its file field.");
            }
            return null;
        }
        form = PostObjectForm.of(post, fields, contentLength);
        return form;
    }

    /** Returns the form's fields, read up to the file. */
    PostFormReader fields() {
        return fields;
    }

    /** The upload was admitted: keeps the file's bytes read with the fields, and the fields are done with. */
    void admitted(boolean lastPieceRead) {
        ByteBuf file = fields.takeFileBytes();
        firstFileBytes = lastPieceRead ? new DefaultLastHttpContent(file) : new DefaultHttpContent(file);
        fields = null;
    }

    /** Returns the file's bytes that came with the fields, once; the caller releases them. */
    HttpContent takeFirstFileBytes() {
        HttpContent first = firstFileBytes;
        firstFileBytes = null;
        return first;
    }

    /**
     * Returns whether the upstream's {@code response} to the PutObject is answered with the form's
     * own answer (it is a 200), which then waits for the end of the response in {@link #takeAnswer}.
     */
    boolean answersFor(HttpResponse response, String requestId, boolean closeClient) {
        if (form == null || response.status().code() != 200) {
            return false;
        }
        answer = form.answer(response.headers().get(HttpHeaderNames.ETAG), requestId);
        if (closeClient) {
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return true;
    }

    /** Returns whether the form's answer waits for the end of the upstream's response. */
    boolean answering() {
        return answer != null;
    }

    /** Returns the form's answer, once; the caller sends or releases it. */
    FullHttpResponse takeAnswer() {
        FullHttpResponse taken = answer;
        answer = null;
        return taken;
    }

    /** Gives back what the upload still holds; safe to call more than once. */
    void release() {
        if (firstFileBytes != null) {
            firstFileBytes.release();
            firstFileBytes = null;
        }
        if (answer != null) {
            answer.release();
            answer = null;
        }
    }
}
