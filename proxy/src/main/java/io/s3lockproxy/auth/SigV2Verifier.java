package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.sigv4.Hashes;
import io.s3lockproxy.sigv4.SigV2;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks AWS Signature Version 2 requests: {@code Authorization: AWS AccessKeyId:Signature}, and
 * presigned URLs with {@code AWSAccessKeyId}, {@code Expires} and {@code Signature} in the query
 * (as {@code s3cmd signurl} and aws-cli v1 make them).
 *
 * <p>The signature is the Base64 HMAC-SHA1 of the string to sign ({@link SigV2}), compared in
 * constant time. As in S3, Version 2 signs less than Version 4: the body only through a
 * Content-MD5 header (which goes upstream, where it is checked), and of the query only the
 * sub-resources and response overrides. Its body goes upstream as {@code UNSIGNED-PAYLOAD}, unless
 * the client also declared a signed {@code x-amz-content-sha256}, which the proxy then checks.
 */
final class SigV2Verifier {
    static final String ALGORITHM = "AWS";

    private final SigV4Verifier common;

    SigV2Verifier(SigV4Verifier common) {
        this.common = common;
    }

    /** Returns whether an {@code Authorization} value is a Version 2 one ({@code AWS AccessKeyId:Signature}). */
    static boolean isHeader(String authorization) {
        String v = authorization.strip();
        return v.equals(ALGORITHM) || (v.startsWith(ALGORITHM) && Character.isWhitespace(v.charAt(ALGORITHM.length())));
    }

    /** Returns whether {@code request} carries Version 2 query-string authentication. */
    static boolean queryPresent(S3Request request) {
        return request.hasQueryParam("AWSAccessKeyId") || request.hasQueryParam("Signature");
    }

    /** Verifies a request signed in its {@code Authorization} header. */
    VerifiedRequest verifyHeader(S3Request request, String authorization) {
        String credentials = authorization.strip().substring(ALGORITHM.length()).strip();
        int colon = credentials.indexOf(':');
        if (colon <= 0 || colon == credentials.length() - 1) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT,
                    "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
                    Map.of("ArgumentName", "Authorization", "ArgumentValue", authorization));
        }
        String accessKey = credentials.substring(0, colon);
        String provided = credentials.substring(colon + 1);
        // x-amz-date overrides Date: the time is checked against it, and Date then signs as empty.
        String amzDate = request.headers().get("x-amz-date");
        String date = request.headers().get("Date");
        String shown = amzDate != null ? amzDate : date;
        RequestTime time = parseTime(shown);
        if (time == null) {
            throw SignatureErrors.missingDate();
        }
        common.checkSkew(time, shown.strip());
        String secret = common.secretOf(accessKey);
        common.checkSessionToken(request.headers().get("x-amz-security-token"));
        List<Map.Entry<String, String>> headers = headerList(request, false);
        String stringToSign = SigV2.stringToSign(request.method(), request.headers().get("Content-MD5"),
                request.headers().get("Content-Type"), amzDate != null ? "" : date.strip(),
                SigV2.canonicalAmzHeaders(headers), canonicalResource(request));
        String expected = SigV2.sign(secret, stringToSign);
        boolean match = Hashes.constantTimeEquals(expected, provided);
        if (!match && amzDate != null) {
            // The AWS documentation's own DELETE example signs the x-amz-date value in the Date
            // position and leaves it out of the x-amz-* headers; its text, the AWS SDK for Java and
            // Ceph sign Date as empty and x-amz-date as a header (above). Both forms cover the time
            // that was checked, and neither can be read as the other (a valid x-amz-date is never
            // empty), so a client that followed the example verifies too.
            headers.removeIf(h -> h.getKey().equalsIgnoreCase("x-amz-date"));
            String exampleForm = SigV2.stringToSign(request.method(), request.headers().get("Content-MD5"),
                    request.headers().get("Content-Type"), amzDate.strip(), SigV2.canonicalAmzHeaders(headers),
                    canonicalResource(request));
            match = Hashes.constantTimeEquals(SigV2.sign(secret, exampleForm), provided);
        }
        if (!match) {
            throw SignatureErrors.sigV2Mismatch(accessKey, stringToSign, provided);
        }
        return common.withoutPayloadSignature(accessKey, request, AuthScheme.SIGV2_HEADER);
    }

    /** Verifies a presigned URL. */
    VerifiedRequest verifyPresigned(S3Request request) {
        String accessKey = request.queryParam("AWSAccessKeyId");
        String provided = request.queryParam("Signature");
        String expires = request.queryParam("Expires");
        if (accessKey == null || provided == null || expires == null) {
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED,
                    "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
        }
        long expiresSeconds;
        try {
            expiresSeconds = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "Invalid date (should be seconds since epoch): " + expires);
        }
        Instant now = common.clock().instant();
        if (now.getEpochSecond() > expiresSeconds) {
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("Expires", Instant.ofEpochSecond(Math.max(expiresSeconds, Instant.MIN.getEpochSecond())).toString());
            extra.put("ServerTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "Request has expired", extra);
        }
        String secret = common.secretOf(accessKey);
        String token = request.queryParam("x-amz-security-token");
        common.checkSessionToken(token != null ? token : request.headers().get("x-amz-security-token"));
        // The query carries no Date: Expires takes its place; x-amz-* query parameters sign as headers.
        String stringToSign = SigV2.stringToSign(request.method(), request.headers().get("Content-MD5"),
                request.headers().get("Content-Type"), expires,
                SigV2.canonicalAmzHeaders(headerList(request, true)), canonicalResource(request));
        if (!Hashes.constantTimeEquals(SigV2.sign(secret, stringToSign), provided)) {
            throw SignatureErrors.sigV2Mismatch(accessKey, stringToSign, provided);
        }
        return common.withoutPayloadSignature(accessKey, request, AuthScheme.SIGV2_PRESIGNED);
    }

    private static String canonicalResource(S3Request request) {
        return SigV2.canonicalResource(request.virtualHosted() ? request.bucket() : null, request.rawPath(),
                request.query());
    }

    /** Returns the request's headers, and for a presigned URL its {@code x-amz-*} query parameters after them. */
    private static List<Map.Entry<String, String>> headerList(S3Request request, boolean withQuery) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> h : request.headers()) {
            out.add(h);
        }
        if (withQuery) {
            for (Map.Entry<String, String> p : request.query()) {
                if (p.getKey().toLowerCase(Locale.ROOT).startsWith("x-amz-")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Returns the time in a Date or x-amz-date value (RFC 1123, or ISO 8601 basic), or null. */
    private static RequestTime parseTime(String value) {
        if (value == null) {
            return null;
        }
        RequestTime time = RequestTime.parseHttpDate(value);
        return time != null ? time : RequestTime.parseAmzDate(value.strip());
    }
}
