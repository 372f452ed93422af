package io.s3lockproxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.auth.AccessPolicy;
import io.s3lockproxy.auth.SigV4Verifier;
import io.s3lockproxy.auth.VerifiedRequest;
import io.s3lockproxy.s3.PostFormReader;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;

/**
 * The first step of every request: from its head to an admitted request — parsed, authenticated,
 * authorized, and planned (what goes upstream, how the body is checked). Thread-safe; no I/O.
 */
final class Admission {
    private final RequestParser parser;
    private final SigV4Verifier verifier;
    private final AccessPolicy policy;
    private final RequestPlanner planner;

    Admission(RequestParser parser, SigV4Verifier verifier, AccessPolicy policy, RequestPlanner planner) {
        this.parser = parser;
        this.verifier = verifier;
        this.policy = policy;
        this.planner = planner;
    }

    /**
     * A request that may go on.
     *
     * @param request    the parsed request
     * @param accessKey  the verified client key, or null for an anonymous request
     * @param plan       what goes upstream and how the body is checked
     */
    record Admitted(S3Request request, String accessKey, RequestPlanner.Plan plan) {
        /**
         * Returns whether the request carried no signature ({@code auth.anonymous: forward}): it goes
         * upstream unsigned, so that the upstream's own public-access rules decide.
         */
        boolean anonymous() {
            return accessKey == null;
        }
    }

    /** Returns the admitted request; throws S3Exception with the answer S3 would give otherwise. */
    Admitted admit(HttpRequest head, String requestId) {
        return admit(head, parse(head, requestId));
    }

    /**
     * Returns the parsed request, not yet authenticated; throws S3Exception for a head S3 would
     * refuse whatever its signature, or an operation the proxy does not support.
     */
    S3Request parse(HttpRequest head, String requestId) {
        if (head.decoderResult().isFailure()) {
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "The request could not be parsed.");
        }
        int hosts = head.headers().getAll(HttpHeaderNames.HOST).size();
        if (hosts > 1 || hosts == 0 && head.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            // RFC 9112 section 3.2: exactly one Host header in HTTP/1.1, else 400.
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "An HTTP/1.1 request must carry exactly one Host header.");
        }
        S3Request request = parser.parse(head, requestId);
        String unsupported = request.operation().unsupported();
        if (unsupported != null) {
            throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, unsupported);
        }
        return request;
    }

    /** Returns {@code request} authenticated, authorized and planned; throws S3Exception otherwise. */
    Admitted admit(HttpRequest head, S3Request request) {
        VerifiedRequest verified = verifier.verify(request);
        if (!verified.anonymous()) {
            policy.check(verified.accessKey(), request);
        }
        return new Admitted(request, verified.accessKey(), planner.plan(head, request, verified));
    }

    /**
     * Returns a browser-form upload admitted as the PutObject it stands for: its policy's signature
     * and conditions checked, the client's key allowed to write the form's key.
     */
    Admitted admitForm(PostObjectForm form, PostFormReader fields) {
        S3Request put = form.put();
        VerifiedRequest verified = verifier.verifyForm(fields.fields(), put.bucket(), form.fileLength());
        if (!verified.anonymous()) {
            policy.check(verified.accessKey(), put);
        }
        return new Admitted(put, verified.accessKey(), planner.planForm(put, form.fileLength(), fields.closeDelimiter()));
    }

    /** Returns the resource an error about {@code head} names, before it could be parsed. */
    static String resourceOf(HttpRequest head) {
        return head.uri();
    }
}
