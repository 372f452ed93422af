package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.config.AnonymousAccess;
import io.s3lockproxy.config.AuthConfig;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.sigv4.SigV2;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Signature Version 2 through {@link SigV4Verifier#verify}: the AWS RESTAuthentication examples as
 * requests (bucket {@code johnsmith}, see {@code sigv4.SigV2Test}), then one rule at a time.
 */
class SigV2VerifierTest {
    static final String ACCESS = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final RequestParser PARSER = new RequestParser("s3.amazonaws.com");
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    static SigV4Verifier verifier(Instant now, boolean sigV2, boolean tokens) {
        return new SigV4Verifier(new CredentialStore(Map.of(ACCESS, SECRET)), Clock.fixed(now, ZoneOffset.UTC),
                new AuthConfig(Duration.ofMinutes(15), tokens, sigV2, AnonymousAccess.DENY));
    }

    static SigV4Verifier verifierAt(String httpDate) {
        return verifier(ZonedDateTime.parse(httpDate, RFC_1123).toInstant(), true, false);
    }

    /** Parses a request with the proxy's own parser; {@code nameValues} are header pairs. */
    static S3Request request(String method, String uri, String... nameValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(nameValues[i], nameValues[i + 1]);
        }
        return PARSER.parse(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri, headers),
                "req-1");
    }

    private static AbstractThrowableAssert<?, ?> rejects(SigV4Verifier v, S3Request r, S3ErrorCode code) {
        return assertThatThrownBy(() -> v.verify(r)).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }

    private static String auth(String signature) {
        return "AWS " + ACCESS + ":" + signature;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Object GET|GET|/photos/puppy.jpg|johnsmith.s3.amazonaws.com|Tue, 27 Mar 2007 19:36:42 +0000|bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
        "List|GET|/?prefix=photos&max-keys=50&marker=puppy|johnsmith.s3.amazonaws.com|Tue, 27 Mar 2007 19:42:41 +0000|htDYFYduRNen8P9ZfE/s9SuKy0U=",
        "Fetch|GET|/?acl|johnsmith.s3.amazonaws.com|Tue, 27 Mar 2007 19:44:46 +0000|c2WLPFtWHVgbEmeEG93a4cG37dM=",
        "List all my buckets|GET|/|s3.amazonaws.com|Wed, 28 Mar 2007 01:29:59 +0000|qGdzdERIC03wnaRNKh6OqZehG9s=",
        "Unicode keys|GET|/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re|s3.amazonaws.com|Wed, 28 Mar 2007 01:49:49 +0000|DNEZGsoieTZ92F3bUfSPQcbGmlM=",
    })
    void publishedExamplesVerify(String name, String method, String uri, String host, String date, String signature) {
        S3Request r = request(method, uri, "Host", host, "Date", date, "Authorization", auth(signature));
        VerifiedRequest v = verifierAt(date).verify(r);
        assertThat(v.accessKey()).isEqualTo(ACCESS);
        assertThat(v.scheme()).isEqualTo(AuthScheme.SIGV2_HEADER);
        assertThat(v.presigned()).isFalse();
        assertThat(v.anonymous()).isFalse();
        assertThat(v.payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(v.streaming()).isNull();
    }

    @Test
    void publishedPutVerifiesAndItsBodyGoesUnsigned() {
        S3Request r = request("PUT", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com",
                "Content-Type", "image/jpeg", "Content-Length", "94328", "Date", "Tue, 27 Mar 2007 21:15:45 +0000",
                "Authorization", auth("MyyxeRY7whkBe+bq8fHCL/2kKUg="));
        VerifiedRequest v = verifierAt("Tue, 27 Mar 2007 21:15:45 +0000").verify(r);
        assertThat(v.payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(v.payloadSha256()).isNull();
    }

    @Test
    void xAmzDateOverridesDate() {
        String amzDate = "Tue, 27 Mar 2007 21:20:26 +0000";
        // The published DELETE example: Date is a second off and, as x-amz-date is sent, not signed.
        S3Request example = request("DELETE", "/johnsmith/photos/puppy.jpg", "User-Agent", "dotnet",
                "Host", "s3.amazonaws.com", "Date", "Tue, 27 Mar 2007 21:20:27 +0000", "x-amz-date", amzDate,
                "Authorization", auth("lx3byBScXR6KzyMaifNkardMwNk="));
        assertThat(verifierAt(amzDate).verify(example).accessKey()).isEqualTo(ACCESS);

        // The form of the documentation's text, the AWS SDK for Java and Ceph: empty Date, x-amz-date as a header.
        String sts = "DELETE\n\n\n\nx-amz-date:" + amzDate + "\n/johnsmith/photos/puppy.jpg";
        S3Request sdkForm = request("DELETE", "/johnsmith/photos/puppy.jpg", "Host", "s3.amazonaws.com",
                "Date", "Mon, 01 Jan 2001 00:00:00 +0000", "x-amz-date", amzDate,
                "Authorization", auth(SigV2.sign(SECRET, sts)));
        // The time checked is x-amz-date's: a Date six years off does not matter, as it is not signed.
        assertThat(verifierAt(amzDate).verify(sdkForm).accessKey()).isEqualTo(ACCESS);
        rejects(verifierAt("Tue, 27 Mar 2007 21:40:26 +0000"), sdkForm, S3ErrorCode.REQUEST_TIME_TOO_SKEWED)
                .satisfies(e -> assertThat(((S3Exception) e).extra()).containsEntry("RequestTime", amzDate));

        // A wrong signature names the primary form in StringToSign.
        S3Request wrong = request("DELETE", "/johnsmith/photos/puppy.jpg", "Host", "s3.amazonaws.com",
                "x-amz-date", amzDate, "Authorization", auth("lx3byBScXR6KzyMaifNkardMwNl="));
        rejects(verifierAt(amzDate), wrong, S3ErrorCode.SIGNATURE_DOES_NOT_MATCH)
                .satisfies(e -> assertThat(((S3Exception) e).extra()).containsEntry("StringToSign", sts));
    }

    @Test
    void presignedExampleVerifiesUntilItExpires() {
        S3Request r = request("GET", "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE"
                + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620", "Host", "johnsmith.s3.amazonaws.com");
        Instant expires = Instant.ofEpochSecond(1175139620);
        VerifiedRequest v = verifier(expires.minus(Duration.ofDays(30)), true, false).verify(r);
        assertThat(v.scheme()).isEqualTo(AuthScheme.SIGV2_PRESIGNED);
        assertThat(v.presigned()).isTrue();
        assertThat(v.scheme().clientQueryParameters()).contains("AWSAccessKeyId", "Signature", "Expires");
        assertThat(verifier(expires, true, false).verify(r).accessKey()).isEqualTo(ACCESS);

        rejects(verifier(expires.plusSeconds(1), true, false), r, S3ErrorCode.ACCESS_DENIED)
                .hasMessage("Request has expired")
                .satisfies(e -> assertThat(((S3Exception) e).extra())
                        .containsEntry("Expires", "2007-03-29T03:40:20Z")
                        .containsEntry("ServerTime", "2007-03-29T03:40:21Z"));
        // The Date header plays no part in a presigned URL.
        S3Request withDate = request("GET", r.rawPath() + "?" + r.rawQuery(), "Host", "johnsmith.s3.amazonaws.com",
                "Date", "Mon, 01 Jan 2001 00:00:00 +0000");
        assertThat(verifier(expires, true, false).verify(withDate).accessKey()).isEqualTo(ACCESS);
    }

    @Test
    void presignedParametersMustBeCompleteAndExpiresANumber() {
        SigV4Verifier v = verifier(Instant.ofEpochSecond(1175139000), true, false);
        rejects(v, request("GET", "/b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x", "Host", "h"),
                S3ErrorCode.ACCESS_DENIED).hasMessageContaining("requires the Signature, Expires and AWSAccessKeyId");
        rejects(v, request("GET", "/b/k?Signature=x&Expires=1175139620", "Host", "h"), S3ErrorCode.ACCESS_DENIED);
        rejects(v, request("GET", "/b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x&Expires=soon", "Host", "h"),
                S3ErrorCode.ACCESS_DENIED).hasMessageContaining("seconds since epoch");
        rejects(v, request("GET", "/b/k?AWSAccessKeyId=AKIDUNKNOWN&Signature=x&Expires=1175139620", "Host", "h"),
                S3ErrorCode.INVALID_ACCESS_KEY_ID);
    }

    @Test
    void wrongSignatureIs403WithTheStringToSign() {
        String date = "Tue, 27 Mar 2007 19:36:42 +0000";
        S3Request r = request("GET", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com", "Date", date,
                "Authorization", auth("bWq2s1WEIj+Ydj0vQ697zp+IXMV="));
        rejects(verifierAt(date), r, S3ErrorCode.SIGNATURE_DOES_NOT_MATCH).satisfies(e -> {
            Map<String, String> extra = ((S3Exception) e).extra();
            assertThat(extra).containsEntry("AWSAccessKeyId", ACCESS)
                    .containsEntry("StringToSign", "GET\n\n\n" + date + "\n/johnsmith/photos/puppy.jpg")
                    .containsEntry("SignatureProvided", "bWq2s1WEIj+Ydj0vQ697zp+IXMV=")
                    .containsKey("StringToSignBytes")
                    .doesNotContainValue(SECRET);
            assertThat(extra.get("StringToSignBytes")).startsWith("47 45 54 0a");
        });
        // Truncated, empty-looking or overlong signatures are mismatches too, not malformed requests.
        for (String bad : new String[] {"bWq2s1WEIj", "bWq2s1WEIj+Ydj0vQ697zp+IXMU=AAAA", "="}) {
            rejects(verifierAt(date), request("GET", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com",
                    "Date", date, "Authorization", auth(bad)), S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        }
    }

    /** One signed request, then each signed part changed on its own: every change must fail. */
    @Test
    void everySignedPartCountsAndOrdinaryQueryParametersDoNot() {
        String date = "Tue, 27 Mar 2007 21:15:45 +0000";
        String sts = "PUT\nmd5==\nimage/jpeg\n" + date + "\nx-amz-meta-a:1\n/johnsmith/photos/puppy.jpg?tagging";
        String sig = SigV2.sign(SECRET, sts);
        SigV4Verifier v = verifierAt(date);
        String[] base = {"Host", "johnsmith.s3.amazonaws.com", "Content-MD5", "md5==", "Content-Type", "image/jpeg",
            "Date", date, "x-amz-meta-a", "1", "Authorization", auth(sig)};
        assertThat(v.verify(request("PUT", "/photos/puppy.jpg?tagging", base)).accessKey()).isEqualTo(ACCESS);
        // An ordinary query parameter is not signed (as in S3): adding one still verifies.
        assertThat(v.verify(request("PUT", "/photos/puppy.jpg?tagging&x-id=PutObjectTagging", base)).accessKey())
                .isEqualTo(ACCESS);

        rejects(v, request("POST", "/photos/puppy.jpg?tagging", base), S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpeg?tagging", base), S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpg?tagging&acl", base), S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpg", base), S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpg?tagging", with(base, "Content-MD5", "md6==")),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpg?tagging", with(base, "Content-Type", "image/png")),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpg?tagging", with(base, "Date", "Tue, 27 Mar 2007 21:15:46 +0000")),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpg?tagging", with(base, "x-amz-meta-a", "2")),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        rejects(v, request("PUT", "/photos/puppy.jpg?tagging", with(base, "x-amz-acl", "public-read")),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        // The same path addressed path-style names the same resource and verifies.
        assertThat(v.verify(request("PUT", "/johnsmith/photos/puppy.jpg?tagging", with(base, "Host", "s3.amazonaws.com")))
                .accessKey()).isEqualTo(ACCESS);
    }

    private static String[] with(String[] pairs, String name, String value) {
        java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of(pairs));
        for (int i = 0; i < out.size(); i += 2) {
            if (out.get(i).equalsIgnoreCase(name)) {
                out.set(i + 1, value);
                return out.toArray(new String[0]);
            }
        }
        out.add(0, value);
        out.add(0, name);
        return out.toArray(new String[0]);
    }

    @Test
    void timeMustBeWithinFifteenMinutesAndPresent() {
        String date = "Tue, 27 Mar 2007 19:36:42 +0000";
        S3Request r = request("GET", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com", "Date", date,
                "Authorization", auth("bWq2s1WEIj+Ydj0vQ697zp+IXMU="));
        Instant signedAt = ZonedDateTime.parse(date, RFC_1123).toInstant();
        assertThat(verifier(signedAt.plus(Duration.ofMinutes(15)), true, false).verify(r).accessKey()).isEqualTo(ACCESS);
        assertThat(verifier(signedAt.minus(Duration.ofMinutes(15)), true, false).verify(r).accessKey()).isEqualTo(ACCESS);
        rejects(verifier(signedAt.plus(Duration.ofMinutes(16)), true, false), r, S3ErrorCode.REQUEST_TIME_TOO_SKEWED);
        rejects(verifier(signedAt.minus(Duration.ofMinutes(16)), true, false), r, S3ErrorCode.REQUEST_TIME_TOO_SKEWED);
        rejects(verifierAt(date), request("GET", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com",
                "Authorization", auth("bWq2s1WEIj+Ydj0vQ697zp+IXMU=")), S3ErrorCode.ACCESS_DENIED)
                .hasMessageContaining("Date");
        rejects(verifierAt(date), request("GET", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com",
                "Date", "yesterday", "Authorization", auth("bWq2s1WEIj+Ydj0vQ697zp+IXMU=")), S3ErrorCode.ACCESS_DENIED);
    }

    @Test
    void unknownKeyMalformedHeaderAndMixedMechanisms() {
        String date = "Tue, 27 Mar 2007 19:36:42 +0000";
        rejects(verifierAt(date), request("GET", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com",
                "Date", date, "Authorization", "AWS AKIDUNKNOWN:bWq2s1WEIj+Ydj0vQ697zp+IXMU="),
                S3ErrorCode.INVALID_ACCESS_KEY_ID)
                .satisfies(e -> assertThat(((S3Exception) e).extra()).containsEntry("AWSAccessKeyId", "AKIDUNKNOWN"));
        for (String malformed : new String[] {"AWS " + ACCESS, "AWS :sig", "AWS " + ACCESS + ":", "AWS", "AWS  "}) {
            rejects(verifierAt(date), request("GET", "/b/k", "Host", "h", "Date", date, "Authorization", malformed),
                    S3ErrorCode.INVALID_ARGUMENT);
        }
        rejects(verifierAt(date), request("GET", "/b/k?AWSAccessKeyId=" + ACCESS + "&Signature=x&Expires=1", "Host", "h",
                "Date", date, "Authorization", auth("x")), S3ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("Only one auth mechanism");
        rejects(verifierAt(date), request("GET", "/b/k?AWSAccessKeyId=" + ACCESS + "&Signature=x&Expires=1"
                + "&X-Amz-Algorithm=AWS4-HMAC-SHA256", "Host", "h"), S3ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void disabledSigV2IsInvalidRequestSayingSo() {
        String date = "Tue, 27 Mar 2007 19:36:42 +0000";
        SigV4Verifier off = verifier(ZonedDateTime.parse(date, RFC_1123).toInstant(), false, false);
        S3Request header = request("GET", "/photos/puppy.jpg", "Host", "johnsmith.s3.amazonaws.com", "Date", date,
                "Authorization", auth("bWq2s1WEIj+Ydj0vQ697zp+IXMU="));
        rejects(off, header, S3ErrorCode.INVALID_REQUEST).hasMessageContaining("SigV2 is disabled");
        S3Request query = request("GET", "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE"
                + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620", "Host", "johnsmith.s3.amazonaws.com");
        rejects(off, query, S3ErrorCode.INVALID_REQUEST).hasMessageContaining("SigV2 is disabled");
    }

    @Test
    void sessionTokensAreSignedAmzHeadersAndOnlyAcceptedWhenEnabled() {
        String date = "Tue, 27 Mar 2007 19:36:42 +0000";
        Instant at = ZonedDateTime.parse(date, RFC_1123).toInstant();
        String sts = "GET\n\n\n" + date + "\nx-amz-security-token:tok\n/b/k";
        S3Request r = request("GET", "/b/k", "Host", "h", "Date", date, "x-amz-security-token", "tok",
                "Authorization", auth(SigV2.sign(SECRET, sts)));
        rejects(verifier(at, true, false), r, S3ErrorCode.INVALID_TOKEN);
        assertThat(verifier(at, true, true).verify(r).accessKey()).isEqualTo(ACCESS);
        rejects(verifier(at, true, true), request("GET", "/b/k", "Host", "h", "Date", date,
                "x-amz-security-token", "other", "Authorization", auth(SigV2.sign(SECRET, sts))),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);

        // In a presigned URL, x-amz-* query parameters are signed like headers.
        String qsts = "GET\n\n\n1175139620\nx-amz-security-token:tok\n/b/k";
        String uri = "/b/k?AWSAccessKeyId=" + ACCESS + "&Expires=1175139620&x-amz-security-token=tok&Signature="
                + java.net.URLEncoder.encode(SigV2.sign(SECRET, qsts), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(verifier(at, true, true).verify(request("GET", uri, "Host", "h")).scheme())
                .isEqualTo(AuthScheme.SIGV2_PRESIGNED);
        rejects(verifier(at, true, false), request("GET", uri, "Host", "h"), S3ErrorCode.INVALID_TOKEN);
        rejects(verifier(at, true, true), request("GET", uri.replace("token=tok", "token=tak"), "Host", "h"),
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
    }

    @Test
    void aDeclaredPayloadHashIsCheckedButSignedChunksNeedSigV4() {
        String date = "Tue, 27 Mar 2007 19:36:42 +0000";
        String hash = "a".repeat(64);
        String sts = "PUT\n\n\n" + date + "\nx-amz-content-sha256:" + hash + "\n/b/k";
        VerifiedRequest v = verifierAt(date).verify(request("PUT", "/b/k", "Host", "h", "Date", date,
                "x-amz-content-sha256", hash, "Authorization", auth(SigV2.sign(SECRET, sts))));
        assertThat(v.payloadMode()).isEqualTo(PayloadMode.SHA256_HEX);
        assertThat(v.payloadSha256()).isEqualTo(hash);

        String streaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
        String sts2 = "PUT\n\n\n" + date + "\nx-amz-content-sha256:" + streaming + "\n/b/k";
        rejects(verifierAt(date), request("PUT", "/b/k", "Host", "h", "Date", date, "x-amz-content-sha256", streaming,
                "Authorization", auth(SigV2.sign(SECRET, sts2))), S3ErrorCode.INVALID_REQUEST);
    }
}
