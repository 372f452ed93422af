package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.DefaultRequest;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.http.HttpMethodName;
import com.amazonaws.services.s3.internal.S3QueryStringSigner;
import com.amazonaws.services.s3.internal.S3Signer;
import com.amazonaws.util.SdkHttpUtils;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Request;
import java.net.URI;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The proxy's SigV2 verifier against an independent signer: the AWS SDK for Java 1.x
 * ({@code S3Signer} for the header, {@code S3QueryStringSigner} for presigned URLs), over random
 * requests: methods, keys with characters that need escaping, sub-resources and ordinary query
 * parameters, Content-Type, Content-MD5, x-amz-date and mixed-case x-amz-meta headers. Each signed
 * request must verify, and the same request with one signed byte changed must not.
 */
class SigV2SdkCrossCheckTest {
    private static final int CASES = 300;
    private static final String[] METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"};
    /** The SDK for Java 1.x signs these (its RestUtils.SIGNED_PARAMETERS); all are in SigV2.SUB_RESOURCES. */
    private static final String[] SUB_RESOURCES = {"acl", "torrent", "logging", "location", "policy", "requestPayment",
        "versioning", "versions", "versionId", "notification", "uploadId", "uploads", "partNumber", "website", "delete",
        "lifecycle", "tagging", "cors", "restore", "replication", "accelerate", "inventory", "analytics", "metrics",
        "response-content-type", "response-content-disposition", "response-expires"};
    private static final String[] ORDINARY = {"prefix", "max-keys", "marker", "delimiter", "x-id", "list-type"};
    private static final String KEY_CHARS = "abcXYZ019-_.~ +%/=&?é中!*'()";

    static {
        System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
    }

    private record Signed(String method, String uri, List<String[]> headers, Instant now) {
    }

    @Test
    void headerSignaturesOfTheSdkVerify() {
        Random random = new Random(20261130L);
        for (int i = 0; i < CASES; i++) {
            Signed s = sdkSigned(random, false);
            S3Request r = toRequest(s);
            SigV4Verifier v = SigV2VerifierTest.verifier(s.now(), true, false);
            assertThat(verify(v, r, i, s).scheme()).isEqualTo(AuthScheme.SIGV2_HEADER);
            assertTamperedFails(v, s, random, i);
        }
    }

    @Test
    void presignedUrlsOfTheSdkVerify() {
        Random random = new Random(11302026L);
        for (int i = 0; i < CASES; i++) {
            Signed s = sdkSigned(random, true);
            S3Request r = toRequest(s);
            SigV4Verifier v = SigV2VerifierTest.verifier(s.now(), true, false);
            assertThat(verify(v, r, i, s).scheme()).isEqualTo(AuthScheme.SIGV2_PRESIGNED);
            assertTamperedFails(v, s, random, i);
        }
    }

    private static VerifiedRequest verify(SigV4Verifier v, S3Request r, int i, Signed s) {
        try {
            return v.verify(r);
        } catch (S3Exception e) {
            throw new AssertionError("case " + i + ": " + s.method() + " " + s.uri() + " " + headersText(s)
                    + " -> " + e.code() + " " + e.getMessage() + " " + e.extra().get("StringToSign"), e);
        }
    }

    private static String headersText(Signed s) {
        StringBuilder b = new StringBuilder();
        s.headers().forEach(h -> b.append(h[0]).append(": ").append(h[1]).append("; "));
        return b.toString();
    }

    private static void assertTamperedFails(SigV4Verifier v, Signed s, Random random, int i) {
        List<String[]> headers = new ArrayList<>(s.headers());
        String uri = s.uri();
        String method = s.method();
        switch (random.nextInt(3)) {
            case 0 -> method = method.equals("GET") ? "PUT" : "GET";
            case 1 -> uri = uri.replaceFirst("/b/", "/c/");
            default -> headers.add(new String[] {"x-amz-meta-added", "x"});
        }
        Signed tampered = new Signed(method, uri, headers, s.now());
        assertThatThrownBy(() -> v.verify(toRequest(tampered))).as("tampered case %d: %s", i, tampered)
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH));
    }

    private static Signed sdkSigned(Random random, boolean presigned) {
        String method = METHODS[random.nextInt(METHODS.length)];
        StringBuilder key = new StringBuilder();
        for (int n = 1 + random.nextInt(20); n > 0; n--) {
            key.append(KEY_CHARS.charAt(random.nextInt(KEY_CHARS.length())));
        }
        String resourcePath = "/b/" + key;
        DefaultRequest<Void> request = new DefaultRequest<>("Amazon S3");
        request.setHttpMethod(HttpMethodName.valueOf(method));
        request.setEndpoint(URI.create("http://localhost:8080"));
        for (int n = random.nextInt(3); n > 0; n--) {
            request.addParameter(SUB_RESOURCES[random.nextInt(SUB_RESOURCES.length)],
                    random.nextBoolean() ? null : "v " + random.nextInt(100) + "/é");
        }
        for (int n = random.nextInt(3); n > 0; n--) {
            request.addParameter(ORDINARY[random.nextInt(ORDINARY.length)], "o" + random.nextInt(100));
        }
        if (random.nextBoolean()) {
            request.addHeader("Content-Type", random.nextBoolean() ? "text/plain" : "application/x-www-form-urlencoded");
        }
        if (random.nextBoolean()) {
            request.addHeader("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
        }
        for (int n = random.nextInt(4); n > 0; n--) {
            String name = "x-amz-meta-" + (random.nextBoolean() ? "Alpha" : "b") + random.nextInt(5);
            request.addHeader(random.nextBoolean() ? name.toUpperCase(java.util.Locale.ROOT) : name, "v" + random.nextInt(9));
        }
        Instant now = Instant.parse("2026-11-30T12:00:00Z").plusSeconds(random.nextInt(86_400));
        request.setTimeOffset((int) ((System.currentTimeMillis() / 1000) - now.getEpochSecond()));
        boolean amzDate = !presigned && random.nextInt(4) == 0;
        if (amzDate) {
            request.addHeader("x-amz-date", DateTimeFormatter.RFC_1123_DATE_TIME.format(now.atZone(java.time.ZoneOffset.UTC)));
        }
        BasicAWSCredentials credentials = new BasicAWSCredentials(SigV2VerifierTest.ACCESS, SigV2VerifierTest.SECRET);
        // The path on the wire, escaped as the SDK escapes it ("//" becomes "/%2F"). S3Signer escapes
        // the resource path it is given; S3QueryStringSigner expects it escaped already.
        String wirePath = SdkHttpUtils.appendUri("", SdkHttpUtils.urlEncode(resourcePath, true), true);
        if (presigned) {
            new S3QueryStringSigner(method, wirePath, Date.from(now.plusSeconds(600))).sign(request, credentials);
        } else {
            new S3Signer(method, resourcePath).sign(request, credentials);
        }
        StringBuilder uri = new StringBuilder(wirePath);
        char separator = '?';
        for (Map.Entry<String, List<String>> p : request.getParameters().entrySet()) {
            for (String value : p.getValue()) {
                uri.append(separator).append(SdkHttpUtils.urlEncode(p.getKey(), false));
                if (value != null) {
                    uri.append('=').append(SdkHttpUtils.urlEncode(value, false));
                }
                separator = '&';
            }
        }
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Host", "localhost:8080"});
        request.getHeaders().forEach((name, value) -> headers.add(new String[] {name, value}));
        Instant signedAt = now;
        String date = request.getHeaders().get("Date");
        if (date != null) {
            signedAt = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        }
        return new Signed(method, uri.toString(), headers, signedAt);
    }

    private static S3Request toRequest(Signed s) {
        String[] pairs = new String[s.headers().size() * 2];
        for (int i = 0; i < s.headers().size(); i++) {
            pairs[2 * i] = s.headers().get(i)[0];
            pairs[2 * i + 1] = s.headers().get(i)[1];
        }
        return SigV2VerifierTest.request(s.method(), s.uri(), pairs);
    }
}
