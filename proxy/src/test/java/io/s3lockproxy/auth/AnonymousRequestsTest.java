package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3lockproxy.config.AnonymousAccess;
import io.s3lockproxy.config.AuthConfig;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code auth.anonymous}: what the verifier makes of a request without any signature. */
class AnonymousRequestsTest {
    private static SigV4Verifier verifier(AnonymousAccess anonymous) {
        return new SigV4Verifier(new CredentialStore(Map.of("AKID", "secret")),
                Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC),
                new AuthConfig(Duration.ofMinutes(15), false, true, anonymous));
    }

    private static S3Request request(String method, String uri, String... headers) {
        return SigV2VerifierTest.request(method, uri, headers);
    }

    @Test
    void forwardReturnsAnAnonymousResultWithoutAccessKey() {
        VerifiedRequest v = verifier(AnonymousAccess.FORWARD).verify(request("GET", "/public/object", "Host", "h"));
        assertThat(v.anonymous()).isTrue();
        assertThat(v.scheme()).isEqualTo(AuthScheme.ANONYMOUS);
        assertThat(v.accessKey()).isNull();
        assertThat(v.presigned()).isFalse();
        assertThat(v.payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(v.streaming()).isNull();
        assertThat(v.scheme().clientQueryParameters()).isEmpty();

        // Query parameters that are not a signature (an Expires alone, X-Amz-Date alone) leave it anonymous.
        assertThat(verifier(AnonymousAccess.FORWARD).verify(
                request("PUT", "/b/k?Expires=1&X-Amz-Date=20261130T120000Z&uploads", "Host", "h",
                        "Content-Length", "3")).anonymous()).isTrue();
    }

    @Test
    void denyIsTodaysAccessDenied() {
        assertThatThrownBy(() -> verifier(AnonymousAccess.DENY).verify(request("GET", "/public/object", "Host", "h")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED))
                .hasMessageContaining("Anonymous access is not allowed");
        // The constructor without AuthConfig keeps the behaviour from before auth.anonymous.
        SigV4Verifier legacy = new SigV4Verifier(new CredentialStore(Map.of("AKID", "secret")), Clock.systemUTC(),
                Duration.ofMinutes(15), false);
        assertThatThrownBy(() -> legacy.verify(request("GET", "/public/object", "Host", "h")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED));
    }

    @Test
    void aSignatureThatFailsIsNeverDowngradedToAnonymous() {
        SigV4Verifier forward = verifier(AnonymousAccess.FORWARD);
        for (S3Request r : new S3Request[] {
            request("GET", "/b/k", "Host", "h", "Authorization", "AWS AKID:wrong", "Date", "Mon, 30 Nov 2026 12:00:00 GMT"),
            request("GET", "/b/k", "Host", "h", "Authorization", "Bearer x"),
            request("GET", "/b/k?Signature=x", "Host", "h"),
            request("GET", "/b/k?X-Amz-Signature=00", "Host", "h"),
        }) {
            assertThatThrownBy(() -> forward.verify(r)).isInstanceOf(S3Exception.class);
        }
    }

    @Test
    void theBodyOfAnAnonymousRequestIsDeclaredAsSent() {
        SigV4Verifier forward = verifier(AnonymousAccess.FORWARD);
        String hash = "b".repeat(64);
        VerifiedRequest hex = forward.verify(request("PUT", "/b/k", "Host", "h", "x-amz-content-sha256", hash));
        assertThat(hex.payloadMode()).isEqualTo(PayloadMode.SHA256_HEX);
        assertThat(hex.payloadSha256()).isEqualTo(hash);
        assertThatThrownBy(() -> forward.verify(request("PUT", "/b/k", "Host", "h",
                "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_REQUEST));
    }

    @Test
    void noKeyPolicyEverGrantsAnAnonymousRequest() {
        S3Request r = request("GET", "/public/object", "Host", "h");
        assertThatThrownBy(() -> AccessPolicy.allowAll().check(null, r))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED))
                .hasMessageContaining("unsigned");
    }
}
