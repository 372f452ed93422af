package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.sigv4.StringToSign;
import java.util.List;

/**
 * A parsed SigV4 {@code Authorization} header:
 * {@code AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=…}.
 *
 * @param credential     the access key and credential scope
 * @param signedHeaders  the signed header names, lower case, in the order given
 * @param signature      the hex signature the client sent
 */
public record AuthorizationHeader(Credential credential, List<String> signedHeaders, String signature) {
    private static final String SIGV4A = "AWS4-ECDSA-P256-SHA256";

    public AuthorizationHeader {
        signedHeaders = List.copyOf(signedHeaders);
    }

    /** Returns the access key id the client signed with. */
    public String accessKey() {
        return credential.accessKey();
    }

    /**
     * Returns the header parsed from {@code value}; whitespace around the algorithm, commas and
     * '=' is tolerated and the three parts may come in any order.
     *
     * @throws S3Exception AUTHORIZATION_HEADER_MALFORMED when it is not well-formed, NOT_IMPLEMENTED
     *                     for SigV4a, INVALID_REQUEST for Signature Version 2
     */
    public static AuthorizationHeader parse(String value) {
        String v = value.strip();
        int space = indexOfWhitespace(v);
        String algorithm = space < 0 ? v : v.substring(0, space);
        if (algorithm.equals(SIGV4A)) {
            throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED,
                    "Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported; sign with AWS4-HMAC-SHA256.");
        }
        if (algorithm.equals("AWS")) {
            throw SignatureErrors.sigV2NotSupported();
        }
        if (!algorithm.equals(StringToSign.ALGORITHM) || space < 0) {
            throw malformed("the authorization header must start with AWS4-HMAC-SHA256.");
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : v.substring(space + 1).split(",", -1)) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw malformed("the authorization header has a component without '='.");
            }
            String name = p.substring(0, eq).strip();
            String val = p.substring(eq + 1).strip();
            switch (name) {
                case "Credential" -> credential = once(credential, val, name);
                case "SignedHeaders" -> signedHeaders = once(signedHeaders, val, name);
                case "Signature" -> signature = once(signature, val, name);
                default -> throw malformed("the authorization header has an unknown component.");
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            throw malformed("the authorization header requires Credential, SignedHeaders and Signature.");
        }
        Credential cred = Credential.parse(credential);
        if (cred == null) {
            throw malformed("the Credential must be AccessKey/yyyyMMdd/region/service/aws4_request.");
        }
        List<String> names = SignedHeaderNames.parse(signedHeaders);
        if (names == null) {
            throw malformed("SignedHeaders must be lower-case header names separated by ';'.");
        }
        if (!isHex64(signature)) {
            throw malformed("the Signature must be 64 hex digits.");
        }
        return new AuthorizationHeader(cred, names, signature);
    }

    private static String once(String previous, String value, String name) {
        if (previous != null) {
            throw malformed("the authorization header repeats " + name + ".");
        }
        return value;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    static boolean isHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static S3Exception malformed(String detail) {
        return new S3Exception(S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED,
                "The authorization header is malformed; " + detail);
    }
}
