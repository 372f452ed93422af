package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.auth.ChecksumAlgorithm;
import io.s3lockproxy.auth.RunningChecksum;
import io.s3lockproxy.s3.ErrorXml;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A DeleteObjects request whose per-object conditions the proxy checked itself: the objects whose
 * condition failed are taken out of the body sent upstream and reported in the answer as S3
 * reports them ({@code <Error><Key>…<Code>PreconditionFailed}), merged into the upstream's
 * {@code <DeleteResult>}.
 *
 * @param upstreamBody  the body to send upstream, or null when no object is left to delete
 * @param errorsXml     the {@code <Error>} elements of the objects taken out (empty when none)
 */
record DeleteObjectsRewrite(byte[] upstreamBody, String errorsXml) {
    private static final String RESULT_OPEN = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    private static final String RESULT_CLOSE = "</DeleteResult>";

    /** Returns the {@code <Error>} element for an object whose condition failed. */
    static String error(String key, String versionId, S3ErrorCode code) {
        return "<Error><Key>" + ErrorXml.escape(key) + "</Key>"
                + (versionId == null ? "" : "<VersionId>" + ErrorXml.escape(versionId) + "</VersionId>")
                + "<Code>" + code.code() + "</Code><Message>" + ErrorXml.escape(code.defaultMessage()) + "</Message></Error>";
    }

    /** Returns the whole answer when nothing is left to delete upstream. */
    FullHttpResponse answerWithoutUpstream(String requestId) {
        ByteBuf xml = Unpooled.copiedBuffer(RESULT_OPEN + errorsXml + RESULT_CLOSE, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, xml);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/xml")
                .set("x-amz-request-id", requestId)
                .set(HttpHeaderNames.CONTENT_LENGTH, xml.readableBytes());
        return response;
    }

    /** Returns the upstream's {@code <DeleteResult>} with this rewrite's errors added; releases {@code upstream}. */
    ByteBuf mergeInto(ByteBuf upstream) {
        try {
            String result = upstream.toString(StandardCharsets.UTF_8);
            int end = result.lastIndexOf(RESULT_CLOSE);
            if (end < 0) {
                return Unpooled.copiedBuffer(result, StandardCharsets.UTF_8);
            }
            return Unpooled.copiedBuffer(result.substring(0, end) + errorsXml + result.substring(end),
                    StandardCharsets.UTF_8);
        } finally {
            upstream.release();
        }
    }

    /**
     * Returns {@code headers} fitted to the rewritten body: the client's Content-MD5 and
     * {@code x-amz-checksum-*} headers are checked against the body it sent (400 BadDigest when one
     * does not match: they would have been checked upstream otherwise), then replaced by a
     * Content-MD5 of the body that goes up.
     */
    static HttpHeaders fitted(HttpHeaders headers, byte[] sent, byte[] rewritten) {
        String md5 = headers.get("Content-MD5");
        if (md5 != null && !md5.trim().equals(base64(digest("MD5", sent)))) {
            throw new S3Exception(S3ErrorCode.BAD_DIGEST);
        }
        List<String> checksums = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromHeaderName(h.getKey());
            if (algorithm != null) {
                RunningChecksum checksum = algorithm.newChecksum();
                checksum.update(Unpooled.wrappedBuffer(sent));
                if (!checksum.base64().equals(h.getValue().trim())) {
                    throw new S3Exception(S3ErrorCode.BAD_DIGEST);
                }
                checksums.add(h.getKey());
            }
        }
        HttpHeaders out = headers.copy();
        checksums.forEach(out::remove);
        out.remove("x-amz-sdk-checksum-algorithm");
        out.set("Content-MD5", base64(digest("MD5", rewritten)));
        return out;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }
}
