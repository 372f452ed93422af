package io.s3lockproxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.s3lockproxy.auth.BodyVerifier;
import io.s3lockproxy.auth.BodyVerifiers;
import io.s3lockproxy.auth.FormFileVerifier;
import io.s3lockproxy.auth.PayloadMode;
import io.s3lockproxy.auth.VerifiedRequest;
import io.s3lockproxy.config.PayloadForwarding;
import io.s3lockproxy.s3.CopySource;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Decides, from an authenticated request, what goes upstream and how the body is checked on its way. */
final class RequestPlanner {
    private final PayloadForwarding forwarding;

    RequestPlanner(PayloadForwarding forwarding) {
        this.forwarding = forwarding;
    }

    /**
     * The upstream request before signing, and the verifier for the client's body (null without a body).
     *
     * @param trailerName  the checksum trailer the client declared, or null
     */
    record Plan(UpstreamRequest upstream, BodyVerifier verifier, String trailerName) {
    }

    /** Returns the plan; throws S3Exception for a body S3 would refuse before reading it. */
    Plan plan(HttpRequest head, S3Request request, VerifiedRequest verified) {
        boolean chunkedTransfer = HttpUtil.isTransferEncodingChunked(head);
        long contentLength = HttpUtil.getContentLength(head, -1L);
        boolean bodyless = request.method().equals("GET") || request.method().equals("HEAD");
        boolean hasBody = chunkedTransfer || contentLength > 0 || (contentLength == 0 && !bodyless);
        BodyPlan body = BodyPlan.NONE;
        BodyVerifier verifier = null;
        String trailerName = null;
        if (hasBody) {
            PayloadMode mode = verified.payloadMode();
            long decodedLength;
            if (mode.awsChunked()) {
                decodedLength = decodedLength(request);
                trailerName = mode.trailer() ? lower(request.headers().get("x-amz-trailer")) : null;
            } else if (chunkedTransfer && bodyless) {
                throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
            } else if (chunkedTransfer && !onlyChunked(head)) {
                // A transfer coding on top of chunked (gzip, chunked) would have to be undone here.
                throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, S3ErrorCode.NOT_IMPLEMENTED.defaultMessage(),
                        Map.of("Header", "Transfer-Encoding"));
            } else {
                decodedLength = chunkedTransfer ? -1 : contentLength;
            }
            if (decodedLength < 0) {
                body = BodyPlan.HTTP_CHUNKED;
            } else {
                // An anonymous request goes up unsigned, so never as aws-chunked, which only a signer frames.
                // An empty payload goes up as Content-Length 0 (its checksum trailer checked here): then the
                // request head is its end, sent whole at the commit point.
                boolean plain = verified.anonymous() || decodedLength == 0;
                body = BodyPlan.choose(decodedLength, plain ? null : trailerName, forwarding);
            }
            verifier = BodyVerifiers.create(verified, request.headers());
        } else if (request.method().equals("PUT") && request.key() != null && contentLength < 0) {
            throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
        }
        boolean trailerDropped = trailerName != null && body.kind() != BodyPlan.Kind.CHUNKED_TRAILER;
        List<Map.Entry<String, String>> query = withoutSignature(request.query(), verified.scheme().clientQueryParameters());
        HttpHeaders headers = ForwardedHeaders.upstream(request.headers(), trailerDropped);
        for (CopySource source : CopySource.of(request)) {
            query = withSource(source, query, headers);
        }
        UpstreamRequest upstream = new UpstreamRequest(request.method(), request.bucket(), request.key(), query,
                headers, body);
        return new Plan(upstream, verifier, trailerName);
    }

    /**
     * Returns the plan of a browser-form upload sent on as {@code put}: its body is the form's file
     * content, {@code fileLength} bytes, which must be followed by {@code closeDelimiter} alone.
     */
    Plan planForm(S3Request put, long fileLength, byte[] closeDelimiter) {
        UpstreamRequest upstream = new UpstreamRequest(put.method(), put.bucket(), put.key(), List.of(),
                ForwardedHeaders.upstream(put.headers(), false), BodyPlan.choose(fileLength, null, forwarding));
        return new Plan(upstream, new FormFileVerifier(fileLength, closeDelimiter), null);
    }

    /**
     * Puts {@code source} into the header or query parameter that named it, in the form every upstream
     * reads as the bucket and key the policy checked; returns the query.
     */
    private static List<Map.Entry<String, String>> withSource(CopySource source, List<Map.Entry<String, String>> query,
                                                             HttpHeaders headers) {
        if (headers.contains(source.name())) {
            headers.set(source.name(), source.upstreamValue());
            return query;
        }
        List<Map.Entry<String, String>> out = new ArrayList<>(query.size());
        for (Map.Entry<String, String> p : query) {
            out.add(p.getKey().equalsIgnoreCase(source.name()) ? Map.entry(p.getKey(), source.upstreamValue()) : p);
        }
        return out;
    }

    /** Returns {@code query} without the parameters that carry the client's own signature. */
    private static List<Map.Entry<String, String>> withoutSignature(List<Map.Entry<String, String>> query,
                                                                  Set<String> signatureParameters) {
        if (signatureParameters.isEmpty()) {
            return query;
        }
        List<Map.Entry<String, String>> out = new ArrayList<>(query.size());
        for (Map.Entry<String, String> p : query) {
            if (!signatureParameters.contains(p.getKey())) {
                out.add(p);
            }
        }
        return out;
    }

    private static long decodedLength(S3Request request) {
        String declared = request.headers().get("x-amz-decoded-content-length");
        if (declared == null) {
            throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
        }
        try {
            long n = Long.parseLong(declared.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "x-amz-decoded-content-length is not a valid length.");
        }
    }

    /** Whether the request's only transfer coding is chunked. */
    private static boolean onlyChunked(HttpRequest head) {
        List<String> codings = head.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        return codings.size() == 1 && codings.get(0).trim().equalsIgnoreCase("chunked");
    }

    private static String lower(String s) {
        return s == null ? null : s.trim().toLowerCase(Locale.ROOT);
    }
}
