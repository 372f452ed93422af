package io.s3lockproxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.s3.PostFormReader;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.s3.TaggingXml;
import io.s3lockproxy.sigv4.UriEncoding;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A browser-form upload (POST Object) as the write it stands for: a PutObject of the form's key,
 * with the form's fields as its headers and the file's content as its body, so that it is locked,
 * fenced and committed like any PUT; and the answer S3 gives a form once the PUT succeeded.
 */
final class PostObjectForm {
    /** Form fields that become the upstream PUT's headers of the same name. */
    private static final Set<String> AS_HEADERS = Set.of("cache-control", "content-type", "content-disposition",
            "content-encoding", "content-md5", "expires", "x-amz-storage-class", "x-amz-website-redirect-location",
            "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
            "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled",
            "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key",
            "x-amz-server-side-encryption-customer-key-md5", "x-amz-object-lock-mode",
            "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold", "x-amz-checksum-algorithm",
            "x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1",
            "x-amz-checksum-sha256");
    private static final int MAX_KEY_BYTES = 1024;

    private final S3Request put;
    private final long fileLength;
    private final String successStatus;
    private final String redirect;
    private final String host;

    private PostObjectForm(S3Request put, long fileLength, String successStatus, String redirect, String host) {
        this.put = put;
        this.fileLength = fileLength;
        this.successStatus = successStatus;
        this.redirect = redirect;
        this.host = host;
    }

    /**
     * Returns the upload that {@code form} describes.
     *
     * @param post           the POST request, parsed
     * @param form           its fields, read up to the file
     * @param contentLength  the POST's Content-Length
     * @throws S3Exception 400 when the form has no key or a body too short for its fields
     */
    static PostObjectForm of(S3Request post, PostFormReader form, long contentLength) {
        Map<String, String> fields = form.fields();
        String key = fields.get("key");
        if (key == null) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Bucket POST must contain a field named 'key'.  If it"
                    + " is specified, please check the order of the fields.");
        }
        key = key.replace("${filename}", form.fileName());
        if (key.isEmpty()) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "User key must have a length greater than 0.");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new S3Exception(S3ErrorCode.KEY_TOO_LONG);
        }
        fields.put("key", key);
        long fileLength = contentLength - form.fieldsLength() - form.closeDelimiter().length;
        if (fileLength < 0) {
            throw new S3Exception(S3ErrorCode.MALFORMED_POST_REQUEST);
        }
        HttpHeaders headers = new DefaultHttpHeaders(false);
        String host = post.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            headers.set(HttpHeaderNames.HOST, host);
        }
        headers.set(HttpHeaderNames.CONTENT_LENGTH, fileLength);
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String name = field.getKey();
            if (AS_HEADERS.contains(name) || name.startsWith("x-amz-meta-")) {
                headers.add(name, field.getValue());
            } else if (name.equals("acl")) {
                headers.add("x-amz-acl", field.getValue());
            } else if (name.equals("tagging")) {
                headers.add("x-amz-tagging", TaggingXml.toHeader(field.getValue()));
            }
        }
        String rawPath = post.virtualHosted() ? "/" + UriEncoding.encode(key, true)
                : "/" + post.bucket() + "/" + UriEncoding.encode(key, true);
        S3Request put = new S3Request(post.requestId(), "PUT", rawPath, "", List.of(), headers, post.bucket(), key,
                S3Operation.PUT_OBJECT, post.virtualHosted());
        String redirect = fields.getOrDefault("success_action_redirect", fields.get("redirect"));
        return new PostObjectForm(put, fileLength, fields.get("success_action_status"), redirect, host);
    }

    /** Returns the PutObject this upload is. */
    S3Request put() {
        return put;
    }

    /** Returns the length of the file's content. */
    long fileLength() {
        return fileLength;
    }

    /**
     * Returns S3's answer to a form whose object was written with {@code etag}: a redirect when the
     * form asked for one, else 200, 201 (with a PostResponse document) or, by default, 204.
     */
    FullHttpResponse answer(String etag, String requestId) {
        String location = "http://" + (host == null ? "" : host) + put.rawPath();
        FullHttpResponse response;
        if (redirect != null && !redirect.isEmpty()) {
            response = response(HttpResponseStatus.SEE_OTHER, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.LOCATION, redirect + (redirect.contains("?") ? "&" : "?")
                    + "bucket=" + formEncode(put.bucket()) + "&key=" + formEncode(put.key())
                    + "&etag=" + formEncode(etag == null ? "" : etag));
        } else if ("201".equals(successStatus)) {
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>"
                    + text(location) + "</Location><Bucket>" + text(put.bucket())
                    + "</Bucket><Key>" + text(put.key()) + "</Key><ETag>"
                    + text(etag == null ? "" : etag) + "</ETag></PostResponse>";
            response = response(HttpResponseStatus.CREATED, Unpooled.copiedBuffer(xml, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/xml");
        } else if ("200".equals(successStatus)) {
            response = response(HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        } else {
            response = response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
        }
        if (etag != null) {
            response.headers().set(HttpHeaderNames.ETAG, etag);
        }
        if (!response.headers().contains(HttpHeaderNames.LOCATION)) {
            response.headers().set(HttpHeaderNames.LOCATION, location);
        }
        response.headers().set("x-amz-request-id", requestId);
        return response;
    }

    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        if (status != HttpResponseStatus.NO_CONTENT) {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        }
        return response;
    }

    /** XML element text: only the characters that would end it are escaped, as S3 writes an ETag. */
    private static String text(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String formEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
