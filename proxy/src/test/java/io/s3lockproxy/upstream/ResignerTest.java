package io.s3lockproxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.s3lockproxy.auth.CredentialStore;
import io.s3lockproxy.auth.PayloadMode;
import io.s3lockproxy.auth.SigV4Verifier;
import io.s3lockproxy.auth.VerifiedRequest;
import io.s3lockproxy.config.PayloadForwarding;
import io.s3lockproxy.config.UpstreamConfig;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.s3.S3Request;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Signs with {@link Resigner} (the AWS SDK signer) and checks the result with the proxy's own verifier. */
class ResignerTest {
    private static final String ACCESS = "UPSTREAMKEY";
    private static final String SECRET = "upstream/secret+KEY";

    private static UpstreamConfig upstream(String endpoint, boolean pathStyle) {
        return new UpstreamConfig(URI.create(endpoint), "eu-west-3", ACCESS, SECRET, pathStyle,
                PayloadForwarding.AUTO, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    private static final Resigner PATH_STYLE = new Resigner(upstream("http://127.0.0.1:9000", true));

    private static VerifiedRequest verify(HttpRequest signed) {
        S3Request parsed = new RequestParser(null).parse(signed, "test");
        return new SigV4Verifier(new CredentialStore(Map.of(ACCESS, SECRET)), Clock.systemUTC(),
                Duration.ofMinutes(5), false).verify(parsed);
    }

    private static UpstreamRequest request(String method, String bucket, String key,
                                           List<Map.Entry<String, String>> query, HttpHeaders headers, BodyPlan body) {
        return new UpstreamRequest(method, bucket, key, query, headers, body);
    }

    static Stream<String> keys() {
        return Stream.of("plain.txt", "dir/sub/file", "café/€ x+y=z&q?#", "sp ace/tilde~star*paren(1)!'",
                "trailing/", "percent%2Fliteral%", "日本語/ключ", "a//b", "semi;colon,comma@at$dollar:colon");
    }

    @ParameterizedTest
    @MethodSource("keys")
    void keyWithUtf8AndReservedCharactersVerifies(String key) {
        HttpRequest signed = PATH_STYLE.sign(request("GET", "bucket", key, List.of(), new DefaultHttpHeaders(),
                BodyPlan.NONE));
        VerifiedRequest v = verify(signed);
        assertThat(v.accessKey()).isEqualTo(ACCESS);
        assertThat(v.presigned()).isFalse();
        assertThat(new RequestParser(null).parse(signed, "t").key()).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../other/k", "a/./b", "a/..", "..\\..\\x"})
    void dotSegmentsGoUpstreamEscapedSignedAsS3CanonicalisesThemAndParseBackToTheSameKey(String key) {
        HttpRequest signed = PATH_STYLE.sign(request("PUT", "bucket", key, List.of(), new DefaultHttpHeaders(),
                BodyPlan.choose(1, null, PayloadForwarding.AUTO)));
        assertThat(signed.uri()).startsWith("/bucket/").doesNotContain("/../", "/./", "\\").doesNotEndWith("/..")
                .contains("%2E");
        verify(signed);
        S3Request parsed = new RequestParser(null).parse(signed, "t");
        assertThat(parsed.bucket()).isEqualTo("bucket");
        assertThat(parsed.key()).isEqualTo(key);

        Resigner vhost = new Resigner(upstream("http://s3.example.test:9000", false));
        HttpRequest hosted = vhost.sign(request("GET", "bucket", "../k", List.of(), new DefaultHttpHeaders(), BodyPlan.NONE));
        assertThat(hosted.uri()).isEqualTo("/%2E%2E/k");
        assertThat(new RequestParser("s3.example.test").parse(hosted, "t").key()).isEqualTo("../k");
    }

    @Test
    void anUnsignedRequestEscapesDotSegmentsToo() {
        HttpRequest out = PATH_STYLE.unsigned(request("GET", "bucket", "a/../b", List.of(), new DefaultHttpHeaders(),
                BodyPlan.NONE));
        assertThat(out.uri()).isEqualTo("/bucket/a/%2E%2E/b");
    }

    @Test
    void queryParametersWithReservedCharactersVerifyAndKeepTheirOrder() {
        List<Map.Entry<String, String>> query = List.of(Map.entry("list-type", "2"), Map.entry("prefix", "a b/ü+&="),
                Map.entry("delimiter", "/"), Map.entry("uploads", ""), Map.entry("continuation-token", "x=="));
        HttpRequest signed = PATH_STYLE.sign(request("GET", "bucket", null, query, new DefaultHttpHeaders(), BodyPlan.NONE));
        verify(signed);
        S3Request parsed = new RequestParser(null).parse(signed, "t");
        assertThat(parsed.queryParam("prefix")).isEqualTo("a b/ü+&=");
        assertThat(parsed.queryParam("continuation-token")).isEqualTo("x==");
        assertThat(parsed.hasQueryParam("uploads")).isTrue();
    }

    @Test
    void headersWithOddSpacingAreSignedAndVerify() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        // Netty's decoder strips the ends of a value; runs of spaces inside it reach the signer as received.
        h.add("x-amz-meta-spaced", "a   b \t c");
        h.add("X-Amz-Meta-Case", "Value");
        h.add("Content-Type", "text/plain; charset=utf-8");
        h.add("x-amz-checksum-crc32", "AAAAAA==");
        HttpRequest signed = PATH_STYLE.sign(request("PUT", "bucket", "k", List.of(), h,
                BodyPlan.choose(10, null, PayloadForwarding.AUTO)));
        VerifiedRequest v = verify(signed);
        assertThat(v.payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
        String signedHeaders = signed.headers().get("Authorization");
        assertThat(signedHeaders).contains("x-amz-meta-spaced", "x-amz-meta-case", "content-type", "x-amz-checksum-crc32");
    }

    @Test
    void contentEncodingGoesOnTheWireAsGivenAndItsCanonicalFormIsSigned() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add("Content-Encoding", "deflate,  gzip");
        HttpRequest signed = PATH_STYLE.sign(request("PUT", "bucket", "k", List.of(), h,
                BodyPlan.choose(10, null, PayloadForwarding.AUTO)));
        assertThat(signed.headers().getAll("Content-Encoding")).containsExactly("deflate,  gzip");
        assertThat(signed.headers().get("Authorization")).contains("content-encoding");
        verify(signed);
    }

    @Test
    void signedRequestIsHeaderAuthWithUnsignedPayloadAndNoPresignParameters() {
        HttpRequest signed = PATH_STYLE.sign(request("PUT", "bucket", "k", List.of(Map.entry("x-id", "PutObject")),
                new DefaultHttpHeaders(), BodyPlan.choose(5, null, PayloadForwarding.AUTO)));
        assertThat(signed.uri()).doesNotContain("X-Amz-").isEqualTo("/bucket/k?x-id=PutObject");
        assertThat(signed.headers().get("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS + "/")
                .contains("/eu-west-3/s3/aws4_request");
        assertThat(signed.headers().get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(signed.headers().get("Host")).isEqualTo("127.0.0.1:9000");
        assertThat(HttpUtil.getContentLength(signed, -1L)).isEqualTo(5);
        assertThat(verify(signed).payloadMode()).isEqualTo(PayloadMode.UNSIGNED);
    }

    @Test
    void requestWithoutBodyHasNoContentLength() {
        HttpRequest signed = PATH_STYLE.sign(request("GET", null, null, List.of(), new DefaultHttpHeaders(), BodyPlan.NONE));
        assertThat(signed.uri()).isEqualTo("/");
        assertThat(signed.headers().contains("Content-Length")).isFalse();
        verify(signed);
    }

    static Stream<Arguments> trailerLengths() {
        return Stream.of("crc32", "crc32c", "crc64nvme", "sha1", "sha256").flatMap(alg ->
                Stream.of(0L, 1L, 131071L, 131072L, 131073L, 10L * 1024 * 1024 + 7).map(n -> Arguments.of(alg, n)));
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("trailerLengths")
    void chunkedTrailerPlanDeclaresTheFramingTheRelaySends(String algorithm, long n) {
        String trailer = "x-amz-checksum-" + algorithm;
        BodyPlan plan = BodyPlan.choose(n, trailer, PayloadForwarding.AUTO);
        HttpRequest signed = PATH_STYLE.sign(request("PUT", "bucket", "key", List.of(), new DefaultHttpHeaders(), plan));
        assertThat(plan.kind()).isEqualTo(BodyPlan.Kind.CHUNKED_TRAILER);
        HttpHeaders h = signed.headers();
        assertThat(h.get("x-amz-content-sha256")).isEqualTo("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        assertThat(h.get("x-amz-trailer")).isEqualToIgnoringCase(trailer);
        assertThat(h.get("x-amz-decoded-content-length")).isEqualTo(Long.toString(n));
        assertThat(h.get("Content-Encoding")).contains("aws-chunked");
        assertThat(HttpUtil.getContentLength(signed, -1L)).isEqualTo(AwsChunkedEncoder.encodedLength(
                n, BodyPlan.UPSTREAM_CHUNK_SIZE, trailer, plan.trailerValueLength()));
        assertThat(verify(signed).payloadMode()).isEqualTo(PayloadMode.STREAMING_UNSIGNED_TRAILER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"crc32", "crc32c", "crc64nvme", "sha1", "sha256"})
    void everyTrailerAlgorithmStaysChunked(String algorithm) {
        assertThat(BodyPlan.choose(1, "x-amz-checksum-" + algorithm, PayloadForwarding.AUTO).kind())
                .isEqualTo(BodyPlan.Kind.CHUNKED_TRAILER);
    }

    static Stream<Arguments> sdkCrossCheck() {
        HttpHeaders meta = new DefaultHttpHeaders(false).add("x-amz-meta-Spaced", "  a   b ").add("Content-Type", "text/plain")
                .add("x-amz-checksum-crc32", "AAAAAA==").add("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
        return Stream.of(
                Arguments.of("GET", "bucket", "dir/café €.txt", List.of(Map.entry("versionId", "v 1"),
                        Map.entry("response-content-type", "a/b;c=d")), new DefaultHttpHeaders(), BodyPlan.NONE),
                Arguments.of("GET", "bucket", null, List.of(Map.entry("list-type", "2"), Map.entry("prefix", "a b/ü+&=")),
                        new DefaultHttpHeaders(), BodyPlan.NONE),
                Arguments.of("PUT", "bucket", "k", List.of(), meta, new BodyPlan(BodyPlan.Kind.UNSIGNED, 5, null)),
                Arguments.of("PUT", "bucket", "k", List.of(), new DefaultHttpHeaders().add("Content-Encoding", "gzip"),
                        new BodyPlan(BodyPlan.Kind.UNSIGNED, 300_000, null)),
                Arguments.of("DELETE", "bucket", "a/b", List.of(), new DefaultHttpHeaders().add("If-Match", "\"e\""),
                        BodyPlan.NONE));
    }

    /**
     * The AWS SDK's own signer, given the head this proxy sends, computes the very same signature
     * (re-framed trailer bodies, which the SDK signs only while framing them itself, are checked by
     * the proxy's verifier above).
     */
    @ParameterizedTest
    @MethodSource("sdkCrossCheck")
    void theSdkSignerAgreesWithEverySignature(String method, String bucket, String key,
                                              List<Map.Entry<String, String>> query, HttpHeaders headers, BodyPlan body) {
        Clock fixed = Clock.fixed(java.time.Instant.parse("2026-11-30T12:34:56Z"), java.time.ZoneOffset.UTC);
        UpstreamConfig config = upstream("http://127.0.0.1:9000", true);
        HttpRequest ours = new Resigner(config, UpstreamCredentials.provider(config), fixed)
                .sign(request(method, bucket, key, query, headers, body));
        String authorization = ours.headers().get("Authorization");
        software.amazon.awssdk.http.SdkHttpRequest.Builder unsigned = software.amazon.awssdk.http.SdkHttpRequest.builder()
                .method(software.amazon.awssdk.http.SdkHttpMethod.fromValue(method))
                .uri(URI.create("http://127.0.0.1:9000" + ours.uri()));
        ours.headers().forEach(h -> {
            if (!h.getKey().equalsIgnoreCase("Authorization")) {
                unsigned.appendHeader(h.getKey(), h.getValue());
            }
        });
        String payloadHash = ours.headers().get("x-amz-content-sha256");
        software.amazon.awssdk.http.SdkHttpRequest sdk = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner
                .create().sign(r -> r
                        .identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(ACCESS, SECRET))
                        .request(unsigned.build())
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "eu-west-3")
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.NORMALIZE_PATH, false)
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SIGNING_CLOCK, fixed)
                        .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED,
                                false)).request();
        assertThat(payloadHash).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(authorization).isEqualTo(sdk.firstMatchingHeader("Authorization").orElseThrow());
    }

    @Test
    void unsignedForwardingNeverChunks() {
        BodyPlan plan = BodyPlan.choose(7, "x-amz-checksum-crc32", PayloadForwarding.UNSIGNED);
        assertThat(plan.kind()).isEqualTo(BodyPlan.Kind.UNSIGNED);
        assertThat(plan.trailerName()).isNull();
    }

    @Test
    void virtualHostUpstreamPutsTheBucketIntoHost() {
        Resigner vhost = new Resigner(upstream("http://s3.example.test:9000", false));
        HttpRequest signed = vhost.sign(request("GET", "my-bucket", "dir/ké y", List.of(Map.entry("versionId", "v1")),
                new DefaultHttpHeaders(), BodyPlan.NONE));
        assertThat(signed.headers().get("Host")).isEqualTo("my-bucket.s3.example.test:9000");
        assertThat(signed.uri()).isEqualTo("/dir/k%C3%A9%20y?versionId=v1");
        verify(signed);
        HttpRequest bucketOnly = vhost.sign(request("GET", "my-bucket", null, List.of(), new DefaultHttpHeaders(),
                BodyPlan.NONE));
        assertThat(bucketOnly.uri()).isEqualTo("/");
        assertThat(bucketOnly.headers().get("Host")).isEqualTo("my-bucket.s3.example.test:9000");
    }

    @Test
    void defaultPortIsLeftOutOfHost() {
        Resigner https = new Resigner(upstream("https://s3.example.test", true));
        HttpRequest signed = https.sign(request("GET", "b", "k", List.of(), new DefaultHttpHeaders(), BodyPlan.NONE));
        assertThat(signed.headers().get("Host")).isEqualTo("s3.example.test");
        verify(signed);
    }
}
