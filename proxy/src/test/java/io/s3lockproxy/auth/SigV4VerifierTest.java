package io.s3lockproxy.auth;

import static io.s3lockproxy.auth.SdkSigning.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;

/** Time, credential and header rules of {@link SigV4Verifier}, with a fixed clock. */
class SigV4VerifierTest {
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    private final SigV4Verifier verifier = verifierAt(NOW, false);

    private static SigV4Verifier verifierAt(Instant now, boolean acceptTokens) {
        return new SigV4Verifier(SdkSigning.store(), SdkSigning.clockAt(now), SigV4Verifier.DEFAULT_MAX_SKEW,
                acceptTokens);
    }

    private static SdkHttpRequest.Builder put() {
        return SdkHttpRequest.builder().method(SdkHttpMethod.PUT).protocol("http").host("localhost").port(9000)
                .encodedPath("/bucket/some/key.txt");
    }

    private static S3Request headerSigned(SdkHttpRequest request, Instant at) {
        return SdkSigning.toS3Request(SdkSigning.sign(request, "hello", false, at, SdkSigning.SECRET, TEN_MINUTES));
    }

    private static S3Request presigned(SdkHttpRequest request, Instant at, Duration expires) {
        return SdkSigning.toS3Request(SdkSigning.sign(request, null, true, at, SdkSigning.SECRET, expires));
    }

    private AbstractThrowableAssert<?, ?> rejects(SigV4Verifier v, S3Request request, S3ErrorCode code) {
        return assertThatThrownBy(() -> v.verify(request)).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }

    private static S3Request withHeaders(S3Request r, HttpHeaders headers) {
        return SdkSigning.s3Request(r.method(), r.rawPath(), r.rawQuery(), headers);
    }

    private static S3Request replaceHeader(S3Request r, String name, String value) {
        HttpHeaders h = new DefaultHttpHeaders().add(r.headers());
        if (value == null) {
            h.remove(name);
        } else {
            h.set(name, value);
        }
        return withHeaders(r, h);
    }

    @Test
    void acceptsHeaderSignatureAtTheSkewBoundaryBothWays() {
        assertThat(verifier.verify(headerSigned(put().build(), NOW.minus(Duration.ofMinutes(15)))).presigned())
                .isFalse();
        assertThat(verifier.verify(headerSigned(put().build(), NOW.plus(Duration.ofMinutes(15)))).accessKey())
                .isEqualTo(SdkSigning.ACCESS_KEY);
    }

    @Test
    void rejectsHeaderSignatureJustBeyondTheSkew() {
        rejects(verifier, headerSigned(put().build(), NOW.minus(Duration.ofMinutes(15)).minusSeconds(1)),
                S3ErrorCode.REQUEST_TIME_TOO_SKEWED)
                .satisfies(e -> assertThat(((S3Exception) e).extra()).containsEntry("MaxAllowedSkewMilliseconds", "900000"));
        rejects(verifier, headerSigned(put().build(), NOW.plus(Duration.ofMinutes(15)).plusSeconds(1)),
                S3ErrorCode.REQUEST_TIME_TOO_SKEWED);
    }

    @Test
    void classifiesTheDeclaredPayload() {
        VerifiedRequest v = verifier.verify(headerSigned(put().build(), NOW));
        assertThat(v.payloadMode()).isEqualTo(PayloadMode.SHA256_HEX);
        assertThat(v.payloadSha256()).isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assertThat(v.streaming()).isNull();

        S3Request unsigned = SdkSigning.toS3Request(SdkSigning.sign(put().protocol("https").build(), "hello",
                false, NOW, SdkSigning.SECRET, TEN_MINUTES,
                r -> r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)));
        assertThat(unsigned.headers().get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        VerifiedRequest u = verifier.verify(unsigned);
        assertThat(u.payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(u.payloadSha256()).isNull();
        assertThat(u.streaming()).isNull();

        S3Request chunked = SdkSigning.toS3Request(SdkSigning.sign(
                put().putHeader("Content-Length", "5").build(), "hello", false, NOW, SdkSigning.SECRET, TEN_MINUTES,
                r -> r.putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, true)));
        assertThat(chunked.headers().get("x-amz-content-sha256")).isEqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        VerifiedRequest c = verifier.verify(chunked);
        assertThat(c.payloadMode()).isEqualTo(PayloadMode.STREAMING_SIGNED);
        String auth = chunked.headers().get("Authorization");
        assertThat(c.streaming().seedSignature()).isEqualTo(auth.substring(auth.indexOf("Signature=") + 10));
        assertThat(c.streaming().scope()).isEqualTo("20250601/eu-central-1/s3/aws4_request");
        assertThat(c.streaming().timestamp()).isEqualTo("20250601T120000Z");
    }

    @Test
    void classifiesEveryPayloadDeclaration() {
        assertThat(ContentSha256.classify("UNSIGNED-PAYLOAD")).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(ContentSha256.classify("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")).isEqualTo(PayloadMode.STREAMING_SIGNED);
        assertThat(ContentSha256.classify("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"))
                .isEqualTo(PayloadMode.STREAMING_SIGNED_TRAILER);
        assertThat(ContentSha256.classify("STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
                .isEqualTo(PayloadMode.STREAMING_UNSIGNED_TRAILER);
        assertThat(ContentSha256.classify("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"))
                .isEqualTo(PayloadMode.SHA256_HEX);
        for (String v4a : new String[] {"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"}) {
            assertThatThrownBy(() -> ContentSha256.classify(v4a)).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.code()).isEqualTo(S3ErrorCode.NOT_IMPLEMENTED));
        }
        for (String bad : new String[] {"whatever", "", "2cf24dba", "unsigned-payload"}) {
            assertThatThrownBy(() -> ContentSha256.classify(bad)).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_ARGUMENT));
        }
    }

    @Test
    void requiresXAmzContentSha256ForHeaderAuth() {
        rejects(verifier, replaceHeader(headerSigned(put().build(), NOW), "x-amz-content-sha256", null),
                S3ErrorCode.INVALID_REQUEST);
    }

    @Test
    void acceptsPresignedUntilItExpires() {
        S3Request r = presigned(put().build(), NOW.minus(TEN_MINUTES), TEN_MINUTES);
        VerifiedRequest v = verifier.verify(r);
        assertThat(v.presigned()).isTrue();
        assertThat(v.payloadMode()).isEqualTo(PayloadMode.UNSIGNED);

        rejects(verifierAt(NOW.plusSeconds(1), false), r, S3ErrorCode.ACCESS_DENIED)
                .hasMessage("Request has expired");
    }

    @Test
    void presignedIsExemptFromSkewButNotValidBeforeItsTime() {
        S3Request old = presigned(put().build(), NOW.minus(Duration.ofDays(6)), Duration.ofDays(7));
        assertThat(verifier.verify(old).presigned()).isTrue();

        assertThat(verifier.verify(presigned(put().build(), NOW.plus(Duration.ofMinutes(15)), TEN_MINUTES)).presigned())
                .isTrue();
        rejects(verifier, presigned(put().build(), NOW.plus(Duration.ofMinutes(16)), TEN_MINUTES),
                S3ErrorCode.ACCESS_DENIED).hasMessage("Request is not valid yet");
    }

    @Test
    void presignedSignatureOfTheWrongLengthOrAlphabetIs403SignatureDoesNotMatch() {
        S3Request r = presigned(put().build(), NOW, TEN_MINUTES);
        String sig = r.queryParam("X-Amz-Signature");
        for (String bad : new String[] {sig.substring(0, 63), sig + "0", sig.substring(0, 63) + "g", "",
            "not-hex-at-all", sig.substring(0, 40)}) {
            S3Request changed = SdkSigning.s3Request(r.method(), r.rawPath(),
                    r.rawQuery().replace("X-Amz-Signature=" + sig, "X-Amz-Signature=" + bad), r.headers());
            rejects(verifier, changed, S3ErrorCode.SIGNATURE_DOES_NOT_MATCH)
                    .satisfies(e -> assertThat(((S3Exception) e).extra())
                            .containsEntry("SignatureProvided", bad)
                            .containsKeys("StringToSign", "CanonicalRequest"));
        }
        // Upper-case hex of the right signature is still the right signature.
        S3Request upper = SdkSigning.s3Request(r.method(), r.rawPath(),
                r.rawQuery().replace(sig, sig.toUpperCase(java.util.Locale.ROOT)), r.headers());
        assertThat(verifier.verify(upper).scheme()).isEqualTo(AuthScheme.SIGV4_PRESIGNED);
    }

    @Test
    void aPresignedUrlValidForZeroSecondsHasExpiredAlreadyAt403() {
        S3Request r = presigned(put().build(), NOW, TEN_MINUTES);
        S3Request zero = SdkSigning.s3Request(r.method(), r.rawPath(),
                r.rawQuery().replace("X-Amz-Expires=600", "X-Amz-Expires=0"), r.headers());
        rejects(verifier, zero, S3ErrorCode.ACCESS_DENIED).hasMessage("Request has expired");
    }

    @Test
    void rejectsExpiresOutsideZeroToSevenDays() {
        S3Request r = presigned(put().build(), NOW, TEN_MINUTES);
        for (String bad : new String[] {"604801", "-1", "ten"}) {
            S3Request changed = SdkSigning.s3Request(r.method(), r.rawPath(),
                    r.rawQuery().replace("X-Amz-Expires=600", "X-Amz-Expires=" + bad), r.headers());
            rejects(verifier, changed, S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR);
        }
    }

    @Test
    void rejectsAScopeDateOtherThanTheRequestDate() {
        S3Request r = headerSigned(put().build(), NOW);
        String auth = r.headers().get("Authorization").replace("/20250601/", "/20250602/");
        rejects(verifier, replaceHeader(r, "Authorization", auth), S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED);

        S3Request p = presigned(put().build(), NOW, TEN_MINUTES);
        S3Request q = SdkSigning.s3Request(p.method(), p.rawPath(), p.rawQuery().replace("%2F20250601%2F", "%2F20250531%2F"),
                p.headers());
        rejects(verifier, q, S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR);
    }

    @Test
    void rejectsUnknownKeyAndWrongSecret() {
        S3Request r = headerSigned(put().build(), NOW);
        String auth = r.headers().get("Authorization").replace("Credential=AKIDPROXYTEST/", "Credential=AKIDUNKNOWN/");
        rejects(verifier, replaceHeader(r, "Authorization", auth), S3ErrorCode.INVALID_ACCESS_KEY_ID);

        S3Request wrongSecret = SdkSigning.toS3Request(
                SdkSigning.sign(put().build(), "hello", false, NOW, "not-the-secret", TEN_MINUTES));
        rejects(verifier, wrongSecret, S3ErrorCode.SIGNATURE_DOES_NOT_MATCH)
                .satisfies(e -> assertThat(((S3Exception) e).extra())
                        .containsKeys("AWSAccessKeyId", "StringToSign", "CanonicalRequest")
                        .doesNotContainValue(SdkSigning.SECRET));
    }

    @Test
    void requiresHostAmongTheSignedHeaders() {
        S3Request r = headerSigned(put().build(), NOW);
        String auth = r.headers().get("Authorization").replace("SignedHeaders=host;", "SignedHeaders=");
        rejects(verifier, replaceHeader(r, "Authorization", auth), S3ErrorCode.ACCESS_DENIED)
                .hasMessageContaining("not signed");

        S3Request p = presigned(put().build(), NOW, TEN_MINUTES);
        String sh = p.queryParam("X-Amz-SignedHeaders");
        assertThat(sh).isEqualTo("host");
        S3Request q = SdkSigning.s3Request(p.method(), p.rawPath(),
                p.rawQuery().replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-foo"), p.headers());
        rejects(verifier, q, S3ErrorCode.ACCESS_DENIED);
    }

    @Test
    void rejectsUnsignedAmzHeaders() {
        S3Request r = headerSigned(put().build(), NOW);
        HttpHeaders h = new DefaultHttpHeaders().add(r.headers()).add("x-amz-copy-source", "/other/key");
        rejects(verifier, withHeaders(r, h), S3ErrorCode.ACCESS_DENIED)
                .satisfies(e -> assertThat(((S3Exception) e).extra()).containsEntry("HeadersNotSigned", "x-amz-copy-source"));

        S3Request p = presigned(put().build(), NOW, TEN_MINUTES);
        HttpHeaders ph = new DefaultHttpHeaders().add(p.headers()).add("x-amz-tagging", "a=b");
        rejects(verifier, withHeaders(p, ph), S3ErrorCode.ACCESS_DENIED);
        // A presigned URL's user may add x-amz-content-sha256 unsigned, as S3 allows.
        HttpHeaders sha = new DefaultHttpHeaders().add(p.headers()).add("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        assertThat(verifier.verify(withHeaders(p, sha)).payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
    }

    @Test
    void sessionTokensOnlyWhenEnabled() {
        S3Request r = headerSigned(put().putHeader("x-amz-security-token", "token-123").build(), NOW);
        rejects(verifier, r, S3ErrorCode.INVALID_TOKEN);
        assertThat(verifierAt(NOW, true).verify(r).accessKey()).isEqualTo(SdkSigning.ACCESS_KEY);
        rejects(verifierAt(NOW, true), replaceHeader(r, "x-amz-security-token", "token-124"),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
    }

    @Test
    void rejectsAnonymousSigV2AndSigV4a() {
        S3Request r = headerSigned(put().build(), NOW);
        rejects(verifier, replaceHeader(r, "Authorization", null), S3ErrorCode.ACCESS_DENIED);
        rejects(verifier, replaceHeader(r, "Authorization", "AWS AKIDPROXYTEST:c2lnbmF0dXJl"),
                S3ErrorCode.INVALID_REQUEST);
        String v4a = r.headers().get("Authorization").replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
        rejects(verifier, replaceHeader(r, "Authorization", v4a), S3ErrorCode.NOT_IMPLEMENTED)
                .hasMessageContaining("4A");
        S3Request v2Query = SdkSigning.s3Request("GET", "/bucket/key", "AWSAccessKeyId=AKIDPROXYTEST&Expires=1&Signature=x",
                new DefaultHttpHeaders().add("Host", "localhost"));
        rejects(verifier, v2Query, S3ErrorCode.INVALID_REQUEST);
    }

    @Test
    void fallsBackToTheDateHeader() {
        // Signed with Date instead of x-amz-date: SigV4 then uses the Date header's time.
        S3Request r = headerSigned(put().build(), NOW);
        HttpHeaders h = new DefaultHttpHeaders().add(r.headers());
        h.remove("x-amz-date");
        h.add("Date", "Sun, 01 Jun 2025 12:00:00 GMT");
        // The signature covered x-amz-date, which is gone, so the time is accepted and the signature is not.
        rejects(verifier, withHeaders(r, h), S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        h.set("Date", "Sun, 01 Jun 2025 11:00:00 GMT");
        rejects(verifier, withHeaders(r, h), S3ErrorCode.REQUEST_TIME_TOO_SKEWED);
        h.remove("Date");
        rejects(verifier, withHeaders(r, h), S3ErrorCode.ACCESS_DENIED);
    }
}
