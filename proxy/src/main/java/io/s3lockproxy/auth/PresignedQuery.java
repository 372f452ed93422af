package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.sigv4.StringToSign;
import java.util.List;

/**
 * The SigV4 parameters of a presigned (query-string signed) request.
 *
 * @param credential     the access key and credential scope ({@code X-Amz-Credential})
 * @param time           the signing time ({@code X-Amz-Date})
 * @param expiresSeconds how long the signature is valid ({@code X-Amz-Expires}), 0..604800 (0: expired at once)
 * @param signedHeaders  the signed header names ({@code X-Amz-SignedHeaders}), lower case
 * @param signature      the signature as sent ({@code X-Amz-Signature}; 64 hex digits when right)
 * @param securityToken  {@code X-Amz-Security-Token}, or null
 */
record PresignedQuery(Credential credential, RequestTime time, long expiresSeconds, List<String> signedHeaders,
        String signature, String securityToken) {
    /** The longest validity S3 allows a presigned URL: seven days. */
    static final long MAX_EXPIRES_SECONDS = 604_800;
    private static final String SIGV4A = "AWS4-ECDSA-P256-SHA256";

    /** Returns whether {@code request} carries query-string SigV4 parameters. */
    static boolean present(S3Request request) {
        return request.hasQueryParam("X-Amz-Algorithm") || request.hasQueryParam("X-Amz-Credential")
                || request.hasQueryParam("X-Amz-Signature");
    }

    /**
     * Returns the parameters of {@code request}.
     *
     * @throws S3Exception AUTHORIZATION_QUERY_PARAMETERS_ERROR when one is missing or malformed,
     *                     NOT_IMPLEMENTED for SigV4a
     */
    static PresignedQuery parse(S3Request request) {
        String algorithm = request.queryParam("X-Amz-Algorithm");
        if (SIGV4A.equals(algorithm)) {
            throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED,
                    "Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported; sign with AWS4-HMAC-SHA256.");
        }
        String credential = request.queryParam("X-Amz-Credential");
        String date = request.queryParam("X-Amz-Date");
        String expires = request.queryParam("X-Amz-Expires");
        String signedHeaders = request.queryParam("X-Amz-SignedHeaders");
        String signature = request.queryParam("X-Amz-Signature");
        if (algorithm == null || credential == null || date == null || expires == null || signedHeaders == null
                || signature == null) {
            throw new S3Exception(S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR);
        }
        if (!algorithm.equals(StringToSign.ALGORITHM)) {
            throw error("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        Credential cred = Credential.parse(credential);
        if (cred == null) {
            throw error("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed;"
                    + " expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        }
        RequestTime time = RequestTime.parseAmzDate(date);
        if (time == null) {
            throw error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        }
        long seconds = parseExpires(expires);
        List<String> names = SignedHeaderNames.parse(signedHeaders);
        if (names == null) {
            throw error("X-Amz-SignedHeaders must be lower-case header names separated by ';'.");
        }
        // A signature of the wrong length or alphabet is not malformed but wrong: S3 answers 403
        // SignatureDoesNotMatch (with the string to sign), so it is left to the comparison.
        return new PresignedQuery(cred, time, seconds, names, signature,
                request.queryParam("X-Amz-Security-Token"));
    }

    private static long parseExpires(String expires) {
        long seconds;
        try {
            seconds = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            throw error("X-Amz-Expires should be a number");
        }
        if (seconds < 0) {
            throw error("X-Amz-Expires must be non-negative");
        }
        if (seconds > MAX_EXPIRES_SECONDS) {
            throw error("X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is 604800");
        }
        return seconds;
    }

    static S3Exception error(String message) {
        return new S3Exception(S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR, message);
    }
}
