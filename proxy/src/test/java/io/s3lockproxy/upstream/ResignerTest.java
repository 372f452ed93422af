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
        if (plan.kind() == BodyPlan.Kind.UNSIGNED) {
            // Only allowed where the SDK cannot sign the trailer (see BodyPlan); the decoded length then goes up.
            assertThat(signed.headers().get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
            assertThat(HttpUtil.getContentLength(signed, -1L)).isEqualTo(n);
            return;
        }
        HttpHeaders h = signed.headers();
        assertThat(h.get("x-amz-content-sha256")).isEqualTo("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        assertThat(h.get("x-amz-trailer")).isEqualToIgnoringCase(trailer);
        assertThat(h.get("x-amz-decoded-content-length")).isEqualTo(Long.toString(n));
        assertThat(h.get("Content-Encoding")).contains("aws-chunked");
        assertThat(HttpUtil.getContentLength(signed, -1L)).isEqualTo(AwsChunkedEncoder.encodedLength(
                n, BodyPlan.UPSTREAM_CHUNK_SIZE, trailer, plan.trailerValueLength()));
        assertThat(verify(signed).payloadMode()).isEqualTo(PayloadMode.STREAMING_UNSIGNED_TRAILER);
    }

    @Test
    void crc64nvmeFallsBackToUnsignedWithoutTheAwsCrt() {
        // The SDK signer needs the AWS CRT for CRC64NVME; without it signing threw and the client got 500.
        BodyPlan plan = BodyPlan.choose(1, "x-amz-checksum-crc64nvme", PayloadForwarding.AUTO);
        assertThat(plan.kind()).isEqualTo(BodyPlan.CRC64NVME_SIGNABLE ? BodyPlan.Kind.CHUNKED_TRAILER : BodyPlan.Kind.UNSIGNED);
        HttpRequest signed = PATH_STYLE.sign(request("PUT", "b", "k", List.of(), new DefaultHttpHeaders(), plan));
        verify(signed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"crc32", "crc32c", "sha1", "sha256"})
    void trailerAlgorithmsTheSdkSupportsStayChunked(String algorithm) {
        assertThat(BodyPlan.choose(1, "x-amz-checksum-" + algorithm, PayloadForwarding.AUTO).kind())
                .isEqualTo(BodyPlan.Kind.CHUNKED_TRAILER);
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
