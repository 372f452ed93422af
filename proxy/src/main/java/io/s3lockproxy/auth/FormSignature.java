package io.s3lockproxy.auth;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.sigv4.Hashes;
import io.s3lockproxy.sigv4.SigV2;
import io.s3lockproxy.sigv4.SigningKey;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The signature of a browser-form upload: an HMAC of the form's {@code policy} field exactly as
 * sent (its base64 text), SigV4 (hex HMAC-SHA256 under the scope's signing key) or SigV2 (base64
 * HMAC-SHA1 under the secret).
 */
final class FormSignature {
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private FormSignature() {
    }

    /** Returns the access key of a SigV4-signed form, after checking its signature. */
    static String checkV4(Map<String, String> fields, Consumer<Credential> checkScope,
                          Function<Credential, SigningKey> keyOf) {
        String algorithm = required(fields, "x-amz-algorithm", "X-Amz-Algorithm");
        if (!algorithm.equals(ALGORITHM)) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "X-Amz-Algorithm only supports \"" + ALGORITHM + "\"");
        }
        Credential credential = Credential.parse(required(fields, "x-amz-credential", "X-Amz-Credential"));
        if (credential == null) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The form's X-Amz-Credential is malformed.");
        }
        checkScope.accept(credential);
        String date = required(fields, "x-amz-date", "X-Amz-Date");
        if (!date.startsWith(credential.date())) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT,
                    "Invalid credential date. Date is not the same as X-Amz-Date.");
        }
        String provided = required(fields, "x-amz-signature", "X-Amz-Signature");
        String policy = required(fields, "policy", "Policy");
        String expected = keyOf.apply(credential).sign(policy);
        if (!Hashes.constantTimeEquals(expected, provided.toLowerCase(Locale.ROOT))) {
            throw SignatureErrors.formSignatureMismatch(credential.accessKey(), policy, provided);
        }
        return credential.accessKey();
    }

    /** Returns the access key of a SigV2-signed form, after checking its signature. */
    static String checkV2(Map<String, String> fields, Function<String, String> secretOf) {
        String accessKey = required(fields, "awsaccesskeyid", "AWSAccessKeyId");
        String provided = required(fields, "signature", "Signature");
        String policy = required(fields, "policy", "Policy");
        String secret = secretOf.apply(accessKey);
        if (!Hashes.constantTimeEquals(SigV2.sign(secret, policy), provided)) {
            throw SignatureErrors.formSignatureMismatch(accessKey, policy, provided);
        }
        return accessKey;
    }

    /** S3's answer to a form that lacks a field its signature needs. */
    static S3Exception missingField(String name) {
        return new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Bucket POST must contain a field named '" + name
                + "'.  If it is specified, please check the order of the fields.");
    }

    private static String required(Map<String, String> fields, String key, String name) {
        String value = fields.get(key);
        if (value == null || value.isEmpty()) {
            throw missingField(name);
        }
        return value;
    }
}
