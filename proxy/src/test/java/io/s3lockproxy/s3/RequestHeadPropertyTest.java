package io.s3lockproxy.s3;

import static io.s3lockproxy.PropertyCampaign.MANY;
import static io.s3lockproxy.PropertyCampaign.from;
import static io.s3lockproxy.PropertyCampaign.onlyS3Errors;
import static io.s3lockproxy.PropertyCampaign.qt;
import static io.s3lockproxy.PropertyCampaign.unicode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.sigv4.UriEncoding;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Properties of request-head parsing ({@link RequestParser}, {@link OperationResolver}) over
 * random request lines and Host headers: the only failure is an S3 error, and well-formed
 * addresses come back as the bucket, key and query they encode.
 */
class RequestHeadPropertyTest {
    private static final RequestParser PARSER = new RequestParser("s3.example.com");
    private static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS",
            "PATCH", "TRACE", "put", "Get", "FOO");
    private static final List<String> QUERY_NAMES = List.of("acl", "uploads", "uploadId", "partNumber", "delete",
            "tagging", "versionId", "versioning", "policy", "cors", "lifecycle", "retention", "legal-hold",
            "object-lock", "restore", "select", "select-type", "list-type", "prefix", "x-id", "location",
            "X-Amz-Signature", "Signature", "AWSAccessKeyId", "torrent", "attributes");
    /** Characters a request target may contain, weighted towards what matters: '%', '/', '?', '&', '='. */
    private static final String TARGET_CHARS = "abcXYZ019-_.~%%%%///??&&==+#!$'()*,;:@[]\\\"<>{}|^`é中";

    private static Gen<String> methods() {
        return Generate.pick(METHODS);
    }

    private static Gen<String> hosts() {
        return Generate.oneOf(
                Generate.constant((String) null),
                Generate.pick(List.of("s3.example.com", "S3.EXAMPLE.COM:9000", "proxy:8080", "[::1]:8080", "")),
                from("abc-.019", 1, 12).map(label -> label + ".s3.example.com"),
                from("abcXYZ019-.:[]_~", 0, 30));
    }

    /** Request targets Netty's HTTP codec lets through (it refuses controls and spaces itself). */
    private static Gen<String> targets() {
        return Generate.oneOf(
                from(TARGET_CHARS, 0, 60).map(s -> "/" + s),
                from(TARGET_CHARS, 0, 40),
                unicode(0, 30).map(s -> "/" + s),
                from("0123456789abcdefABCDEFgz%", 0, 30).map(s -> "/b/" + s))
                .assuming(RequestHeadPropertyTest::nettyAccepts);
    }

    private static boolean nettyAccepts(String target) {
        try {
            new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static DefaultHttpRequest head(String method, String target, String host) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (host != null) {
            headers.add("Host", host);
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target, headers);
    }

    @Test
    void anyRequestLineParsesOrIsAnS3Error() {
        qt(MANY).forAll(methods(), targets(), hosts()).checkAssert((method, target, host) -> {
            S3Request[] parsed = new S3Request[1];
            onlyS3Errors(() -> parsed[0] = PARSER.parse(head(method, target, host), "id"), S3ErrorCode.INVALID_URI,
                    S3ErrorCode.METHOD_NOT_ALLOWED, S3ErrorCode.NOT_IMPLEMENTED);
            S3Request r = parsed[0];
            if (r != null) {
                assertThat(r.operation()).isNotNull();
                assertThat(r.method()).isEqualTo(method);
                assertThat(target).startsWith(r.rawPath());
                assertThat(r.rawPath()).startsWith("/").doesNotContain("?");
                assertThat(r.bucket()).isNotEqualTo("");
                assertThat(r.key()).isNotEqualTo("");
                String name = host == null ? "" : host.toLowerCase(java.util.Locale.ROOT).replaceFirst(":\\d+$", "");
                boolean virtualHost = name.endsWith(".s3.example.com") && name.length() > ".s3.example.com".length();
                assertThat(r.virtualHosted()).isEqualTo(virtualHost);
                if (virtualHost) {
                    assertThat(r.bucket() + ".s3.example.com").isEqualTo(name);
                }
            }
        });
    }

    @Test
    void pathStyleAddressesRoundTrip() {
        Gen<String> buckets = from("abcdefghijklmnopqrstuvwxyz0123456789.-", 3, 30);
        Gen<String> keys = unicode(1, 40);
        Gen<List<Map.Entry<String, String>>> queries = lists().of(
                unicode(1, 8).zip(unicode(0, 8), (n, v) -> (Map.Entry<String, String>) new SimpleImmutableEntry<>(n, v)))
                .ofSizeBetween(0, 4);
        qt(MANY).forAll(buckets, keys, queries, booleans().all()).checkAssert((bucket, key, query, virtualHost) -> {
            StringBuilder target = new StringBuilder(virtualHost ? "" : "/" + bucket).append('/')
                    .append(UriEncoding.encode(key, true));
            char separator = '?';
            for (Map.Entry<String, String> p : query) {
                target.append(separator).append(UriEncoding.encode(p.getKey(), false)).append('=')
                        .append(UriEncoding.encode(p.getValue(), false));
                separator = '&';
            }
            String host = virtualHost ? bucket + ".s3.example.com" : "s3.example.com";
            S3Request r = PARSER.parse(head("GET", target.toString(), host), "id");
            assertThat(r.bucket()).isEqualTo(bucket);
            assertThat(r.key()).isEqualTo(key);
            assertThat(r.virtualHosted()).isEqualTo(virtualHost);
            assertThat(r.query()).containsExactlyElementsOf(query);
            assertThat(r.resource()).isEqualTo("/" + bucket + "/" + key);
        });
    }

    @Test
    void operationResolutionIsTotal() {
        Gen<List<Map.Entry<String, String>>> queries = lists().of(Generate.pick(QUERY_NAMES)
                .zip(Generate.oneOf(Generate.constant(""), from("abc1=%&", 0, 6)),
                        (n, v) -> (Map.Entry<String, String>) new SimpleImmutableEntry<>(n, v)))
                .ofSizeBetween(0, 4);
        Gen<String> optionalNames = Generate.oneOf(Generate.constant((String) null), from("abc/é ", 0, 6));
        Gen<List<String>> headerNames = lists().of(Generate.pick(List.of("x-amz-copy-source", "x-amz-tagging",
                "Content-MD5", "x-amz-acl", "If-Match", "If-None-Match", "x-amz-bypass-governance-retention",
                "Range", "x-amz-object-lock-mode"))).ofSizeBetween(0, 3);
        Gen<String[]> bucketAndKey = optionalNames.zip(optionalNames, (b, k) -> new String[] {b, k});
        qt(MANY).forAll(methods(), bucketAndKey, queries, headerNames).checkAssert((method, bk, query, names) -> {
            HttpHeaders headers = new DefaultHttpHeaders();
            names.forEach(n -> headers.add(n, "/b/k"));
            String bucket = bk[0] == null || bk[0].isEmpty() ? null : bk[0];
            String key = bucket == null || bk[1] == null || bk[1].isEmpty() ? null : bk[1];
            S3Operation[] op = new S3Operation[1];
            S3Exception refused = onlyS3Errors(
                    () -> op[0] = OperationResolver.resolve(method, bucket, key, new ArrayList<>(query), headers));
            if (refused == null) {
                assertThat(op[0]).isNotNull();
            }
        });
    }
}
