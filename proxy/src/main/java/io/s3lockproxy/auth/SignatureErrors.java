package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the S3 errors of signature verification, with the extra elements S3 adds to them. */
final class SignatureErrors {
    private SignatureErrors() {
    }

    /** Returns S3's answer to a Signature Version 2 request (header or query). */
    static S3Exception sigV2NotSupported() {
        return new S3Exception(S3ErrorCode.INVALID_REQUEST,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    }

    /** Returns the answer to a Signature Version 2 request when {@code auth.sigV2} is false. */
    static S3Exception sigV2Disabled() {
        return new S3Exception(S3ErrorCode.INVALID_REQUEST,
                "The authorization mechanism you have provided is not supported: SigV2 is disabled on this proxy"
                        + " (auth.sigV2: false). Please use AWS4-HMAC-SHA256.");
    }

    /**
     * Returns SignatureDoesNotMatch for a Signature Version 2 request with the string to sign,
     * as S3 does: as text and as its bytes in hex, so that a client can spot stray whitespace.
     */
    static S3Exception sigV2Mismatch(String accessKey, String stringToSign, String provided) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("AWSAccessKeyId", accessKey);
        extra.put("StringToSign", stringToSign);
        extra.put("SignatureProvided", provided);
        extra.put("StringToSignBytes", hexBytes(stringToSign));
        return new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH.defaultMessage(), extra);
    }

    private static String hexBytes(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }

    /** Returns InvalidAccessKeyId naming the unknown key. */
    static S3Exception unknownAccessKey(String accessKey) {
        return new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID,
                S3ErrorCode.INVALID_ACCESS_KEY_ID.defaultMessage(), Map.of("AWSAccessKeyId", accessKey));
    }

    /**
     * Returns SignatureDoesNotMatch with the string to sign and canonical request the proxy computed.
     * Echoing them is safe and is what S3 does: both are derived from the request the client sent
     * and contain no secret, and they let a client find where its signing went wrong.
     */
    static S3Exception signatureMismatch(String accessKey, String stringToSign, String provided, String canonical) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("AWSAccessKeyId", accessKey);
        extra.put("StringToSign", stringToSign);
        extra.put("SignatureProvided", provided);
        extra.put("CanonicalRequest", canonical);
        return new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH.defaultMessage(), extra);
    }

    /** Returns SignatureDoesNotMatch for a browser form: what was signed is its policy field. */
    static S3Exception formSignatureMismatch(String accessKey, String policy, String provided) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("AWSAccessKeyId", accessKey);
        extra.put("StringToSign", policy);
        extra.put("SignatureProvided", provided);
        return new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH.defaultMessage(), extra);
    }

    /** Returns AccessDenied listing x-amz-* headers the client sent but did not sign. */
    static S3Exception headersNotSigned(String names) {
        return new S3Exception(S3ErrorCode.ACCESS_DENIED,
                "There were headers present in the request which were not signed", Map.of("HeadersNotSigned", names));
    }

    /** Returns AccessDenied for a request without a usable time. */
    static S3Exception missingDate() {
        return new S3Exception(S3ErrorCode.ACCESS_DENIED,
                "AWS authentication requires a valid Date or x-amz-date header");
    }
}
