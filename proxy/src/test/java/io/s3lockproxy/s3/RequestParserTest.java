package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {
    private final RequestParser pathOnly = new RequestParser(null);
    private final RequestParser vhost = new RequestParser("S3.Example.com");

    static HttpRequest request(String method, String uri, String host) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        if (host != null) {
            r.headers().set("Host", host);
        }
        return r;
    }

    private S3Request parse(RequestParser parser, String method, String uri, String host) {
        return parser.parse(request(method, uri, host), "REQ1");
    }

    @Test
    void pathStyleBucketAndKey() {
        S3Request r = parse(pathOnly, "GET", "/bucket/dir/file.txt", "proxy:8080");
        assertThat(r.bucket()).isEqualTo("bucket");
        assertThat(r.key()).isEqualTo("dir/file.txt");
        assertThat(r.operation()).isEqualTo(S3Operation.GET_OBJECT);
        assertThat(r.requestId()).isEqualTo("REQ1");
        assertThat(r.rawPath()).isEqualTo("/bucket/dir/file.txt");
        assertThat(r.rawQuery()).isEmpty();
        assertThat(r.resource()).isEqualTo("/bucket/dir/file.txt");
    }

    @Test
    void remembersWhetherTheBucketCameFromTheHost() {
        // SigV2 signs "/" + bucket before the path only when the Host named the bucket.
        assertThat(parse(vhost, "GET", "/data/2024.csv", "data.s3.example.com").virtualHosted()).isTrue();
        assertThat(parse(vhost, "GET", "/data/2024.csv", "data.s3.example.com").key()).isEqualTo("data/2024.csv");
        assertThat(parse(vhost, "GET", "/data/2024.csv", "s3.example.com").virtualHosted()).isFalse();
        assertThat(parse(pathOnly, "GET", "/data/2024.csv", "data.s3.example.com").virtualHosted()).isFalse();
    }

    @Test
    void pathStyleKeysAreDecodedOnceAndKeepPlusAndEncodedSlash() {
        S3Request r = parse(pathOnly, "GET", "/bucket/caf%C3%A9/%E2%82%AC%20x+y%2Fz%25", null);
        assertThat(r.key()).isEqualTo("café/€ x+y/z%");
        assertThat(r.rawPath()).isEqualTo("/bucket/caf%C3%A9/%E2%82%AC%20x+y%2Fz%25");
    }

    @Test
    void keyWithTrailingSlashKeepsIt() {
        assertThat(parse(pathOnly, "PUT", "/bucket/folder/", null).key()).isEqualTo("folder/");
        assertThat(parse(pathOnly, "GET", "/bucket//double", null).key()).isEqualTo("/double");
    }

    @Test
    void bucketOnlyWithOrWithoutTrailingSlash() {
        for (String uri : new String[] {"/bucket", "/bucket/", "/bucket?list-type=2", "/bucket/?list-type=2"}) {
            S3Request r = parse(pathOnly, "GET", uri, "proxy");
            assertThat(r.bucket()).as(uri).isEqualTo("bucket");
            assertThat(r.key()).as(uri).isNull();
            assertThat(r.resource()).isEqualTo("/bucket");
        }
    }

    @Test
    void serviceLevelRequestHasNoBucket() {
        S3Request r = parse(pathOnly, "GET", "/", "proxy");
        assertThat(r.bucket()).isNull();
        assertThat(r.key()).isNull();
        assertThat(r.operation()).isEqualTo(S3Operation.LIST_BUCKETS);
        assertThat(r.resource()).isEqualTo("/");
    }

    @Test
    void virtualHostStyleWithPortAndMixedCaseHost() {
        S3Request r = parse(vhost, "GET", "/dir/caf%C3%A9", "MyBucket.s3.EXAMPLE.com:8080");
        assertThat(r.bucket()).isEqualTo("mybucket");
        assertThat(r.key()).isEqualTo("dir/café");
        assertThat(r.resource()).isEqualTo("/mybucket/dir/café");
    }

    @Test
    void virtualHostBucketOnlyAndDottedBucket() {
        S3Request r = parse(vhost, "GET", "/?list-type=2", "my.dotted.bucket.s3.example.com");
        assertThat(r.bucket()).isEqualTo("my.dotted.bucket");
        assertThat(r.key()).isNull();
        assertThat(r.operation()).isEqualTo(S3Operation.LIST_OBJECTS_V2);
        assertThat(parse(vhost, "GET", "/", "b.s3.example.com").key()).isNull();
    }

    @Test
    void hostOutsideTheVirtualHostDomainIsPathStyle() {
        S3Request bare = parse(vhost, "GET", "/bucket/key", "s3.example.com:8080");
        assertThat(bare.bucket()).isEqualTo("bucket");
        assertThat(bare.key()).isEqualTo("key");
        S3Request other = parse(vhost, "GET", "/bucket/key", "127.0.0.1:8080");
        assertThat(other.bucket()).isEqualTo("bucket");
        S3Request ipv6 = parse(vhost, "GET", "/bucket/key", "[::1]:8080");
        assertThat(ipv6.bucket()).isEqualTo("bucket");
        S3Request lookalike = parse(vhost, "GET", "/bucket/key", "evils3.example.com");
        assertThat(lookalike.bucket()).isEqualTo("bucket");
    }

    @Test
    void queryIsDecodedInOrderWithRepeatsAndEmptyValues() {
        S3Request r = parse(pathOnly, "GET", "/b?prefix=a%2Fb%20c&uploads&x=1&x=2&&delimiter=%2F", null);
        assertThat(r.query()).containsExactly(Map.entry("prefix", "a/b c"), Map.entry("uploads", ""),
                Map.entry("x", "1"), Map.entry("x", "2"), Map.entry("delimiter", "/"));
        assertThat(r.queryParam("x")).isEqualTo("1");
        assertThat(r.hasQueryParam("uploads")).isTrue();
        assertThat(r.hasQueryParam("versions")).isFalse();
        assertThat(r.rawQuery()).isEqualTo("prefix=a%2Fb%20c&uploads&x=1&x=2&&delimiter=%2F");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bucket/bad%zz", "/bucket/trunc%4", "/bucket/end%", "/bucket/k?prefix=%G1",
            "/bucket/k?%=1", "bucket/no-leading-slash", "http://host/bucket/key"})
    void malformedAddressIsInvalidUri(String uri) {
        assertThatThrownBy(() -> parse(pathOnly, "GET", uri, null))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_URI);
                    assertThat(e.code().status()).isEqualTo(400);
                });
    }

    @Test
    void onlyTheMethodsS3HasInTheirExactCaseAreAccepted() {
        for (String method : java.util.List.of("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS")) {
            assertThat(parse(pathOnly, method, "/bucket/key", null).method()).isEqualTo(method);
        }
        for (String method : java.util.List.of("PATCH", "TRACE", "CONNECT")) {
            assertThatThrownBy(() -> parse(pathOnly, method, "/bucket/key", null)).isInstanceOfSatisfying(
                    S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.METHOD_NOT_ALLOWED));
        }
        for (String method : java.util.List.of("put", "Get", "delete", "FOO", "PROPFIND")) {
            assertThatThrownBy(() -> parse(pathOnly, method, "/bucket/key", null)).as(method).isInstanceOfSatisfying(
                    S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.NOT_IMPLEMENTED));
        }
    }

    @Test
    void keysOverS3sLimitOfTenTwentyFourBytesAreRefused() {
        String longest = "k".repeat(1021) + "\u00e9"; // 1023 bytes: 'é' is two
        assertThat(parse(pathOnly, "PUT", "/bucket/" + longest.replace("\u00e9", "%C3%A9") + "x", "proxy").key())
                .hasSize(1023);
        assertThatThrownBy(() -> parse(pathOnly, "PUT", "/bucket/" + "k".repeat(1025), "proxy"))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.KEY_TOO_LONG));
    }

    @Test
    void anEscapeThatIsNotUtf8IsRefusedNotReplaced() {
        for (String uri : java.util.List.of("/bucket/%FF", "/bucket/a%C3", "/bucket/k?x=%E9", "/bucket/%ED%A0%80")) {
            assertThatThrownBy(() -> parse(pathOnly, "GET", uri, "proxy")).as(uri)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_URI));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bucket%2Fother/k", "/bucket%2F..%2Fother/k", "/bucket%2f", "/../other/k", "/%2E%2E/other/k",
            "/%2e/k", "/./k", "/..", "/bucket%5Cother/k", "/bucket\\x/k", "//k", "//..%2Fk"})
    void aBucketSegmentThatServersCouldResolveOrSplitIsInvalidUri(String uri) {
        assertThatThrownBy(() -> parse(pathOnly, "PUT", uri, "proxy")).as(uri)
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_URI));
    }

    @Test
    void aHostBucketThatIsADotSegmentIsInvalidUri() {
        assertThatThrownBy(() -> parse(vhost, "GET", "/k", "..s3.example.com"))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_URI));
    }

    @Test
    void dotSegmentsInKeysAreKeptLiterallyAsS3Does() {
        S3Request r = parse(pathOnly, "PUT", "/bucket/../other/k", "proxy");
        assertThat(r.bucket()).isEqualTo("bucket");
        assertThat(r.key()).isEqualTo("../other/k");
        assertThat(parse(pathOnly, "GET", "/bucket/a/%2E/b/%2e%2e", null).key()).isEqualTo("a/./b/..");
        assertThat(parse(vhost, "GET", "/../k", "data.s3.example.com").key()).isEqualTo("../k");
        assertThat(parse(pathOnly, "GET", "/bucket.with.dots/..k", null).bucket()).isEqualTo("bucket.with.dots");
    }

    @Test
    void subresourcesAreTheParametersThatAreNeitherPlainNorSignatureNorHeaders() {
        S3Request r = parse(pathOnly, "GET", "/bucket?acl&prefix=p&X-Amz-Date=d&x-amz-acl=private&response-expires=1"
                + "&AWSAccessKeyId=a&policy=&uploads", null);
        assertThat(r.subresources()).containsExactly("acl", "policy", "uploads");
    }
}
