package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3lockproxy.config.AnonymousAccess;
import io.s3lockproxy.config.AuthConfig;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.sigv4.SigV2;
import io.s3lockproxy.sigv4.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SigV4Verifier#verifyForm}: who signed a browser form's policy, and what it then allows. */
class FormSignatureTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final String POLICY = Base64.getEncoder().encodeToString(("{\"expiration\": \"2026-12-01T11:00:00Z\","
            + " \"conditions\": [{\"bucket\": \"b\"}, {\"key\": \"k\"}, [\"starts-with\", \"$x-amz-credential\", \"\"],"
            + " [\"starts-with\", \"$x-amz-algorithm\", \"\"], [\"starts-with\", \"$x-amz-date\", \"\"]]}")
            .getBytes(StandardCharsets.UTF_8));

    private static SigV4Verifier verifier(boolean sigV2, AnonymousAccess anonymous) {
        return new SigV4Verifier(new CredentialStore(Map.of("AKID", "secret")), Clock.fixed(NOW, ZoneOffset.UTC),
                new AuthConfig(Duration.ofMinutes(15), false, sigV2, anonymous));
    }

    private static Map<String, String> v4(String accessKey, String secret) {
        Map<String, String> f = new HashMap<>();
        f.put("key", "k");
        f.put("policy", POLICY);
        f.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        f.put("x-amz-credential", accessKey + "/20261201/eu-west-1/s3/aws4_request");
        f.put("x-amz-date", "20261201T095900Z");
        f.put("x-amz-signature", SigningKey.derive(secret, "20261201", "eu-west-1", "s3").sign(POLICY));
        return f;
    }

    private static S3ErrorCode refusal(SigV4Verifier verifier, Map<String, String> fields, long length) {
        try {
            verifier.verifyForm(fields, "b", length);
        } catch (S3Exception e) {
            return e.code();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void aSigV4FormNamesItsSigner() {
        VerifiedRequest verified = verifier(true, AnonymousAccess.DENY).verifyForm(v4("AKID", "secret"), "b", 3);
        assertThat(verified.accessKey()).isEqualTo("AKID");
        assertThat(verified.scheme()).isEqualTo(AuthScheme.POST_POLICY);
        assertThat(verified.payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
    }

    @Test
    void aWrongSignatureUnknownKeyOrMissingFieldIsRefused() {
        SigV4Verifier verifier = verifier(true, AnonymousAccess.FORWARD);
        assertThat(refusal(verifier, v4("AKID", "other"), 3)).isEqualTo(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        assertThat(refusal(verifier, v4("NOPE", "secret"), 3)).isEqualTo(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        for (String field : new String[] {"x-amz-signature", "x-amz-date", "policy"}) {
            Map<String, String> f = v4("AKID", "secret");
            f.remove(field);
            assertThat(refusal(verifier, f, 3)).as(field).isEqualTo(S3ErrorCode.INVALID_ARGUMENT);
        }
        Map<String, String> policyOnly = new HashMap<>(Map.of("key", "k", "policy", POLICY));
        assertThat(refusal(verifier, policyOnly, 3)).as("a policy nobody signed").isEqualTo(S3ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void theSignedPolicyIsHeldAgainstTheForm() {
        Map<String, String> f = v4("AKID", "secret");
        f.put("key", "other");
        assertThat(refusal(verifier(true, AnonymousAccess.DENY), f, 3)).isEqualTo(S3ErrorCode.ACCESS_DENIED);
    }

    @Test
    void sigV2FormsFollowAuthSigV2() {
        String policy = Base64.getEncoder().encodeToString(("{\"expiration\": \"2026-12-01T11:00:00Z\","
                + " \"conditions\": [{\"bucket\": \"b\"}, {\"key\": \"k\"}]}").getBytes(StandardCharsets.UTF_8));
        Map<String, String> f = Map.of("key", "k", "policy", policy, "awsaccesskeyid", "AKID",
                "signature", SigV2.sign("secret", policy));
        assertThat(verifier(true, AnonymousAccess.DENY).verifyForm(f, "b", 3).accessKey()).isEqualTo("AKID");
        assertThat(refusal(verifier(false, AnonymousAccess.DENY), f, 3)).isEqualTo(S3ErrorCode.INVALID_REQUEST);
    }

    @Test
    void anUnsignedFormIsAnonymousUnlessAnonymousAccessIsDenied() {
        Map<String, String> f = Map.of("key", "k");
        assertThat(verifier(true, AnonymousAccess.FORWARD).verifyForm(f, "b", 3).anonymous()).isTrue();
        assertThat(refusal(verifier(true, AnonymousAccess.DENY), f, 3)).isEqualTo(S3ErrorCode.ACCESS_DENIED);
    }
}
