package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.s3lockproxy.config.ClientCredential;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessPolicyTest {
    private static final AccessPolicy POLICY = new AccessPolicy(List.of(
            new ClientCredential("admin", "s"),
            new ClientCredential("reader", "s", List.of(), true),
            new ClientCredential("team", "s", List.of("team-a", "team-shared"), false),
            new ClientCredential("team-reader", "s", List.of("team-a"), true)));

    private static S3Request request(String method, String bucket, String key, S3Operation op, Map<String, String> headers,
                                     List<Map.Entry<String, String>> query) {
        HttpHeaders h = new DefaultHttpHeaders();
        headers.forEach(h::add);
        return new S3Request("req", method, "/", "", query, h, bucket, key, op);
    }

    private static S3Request request(String method, String bucket, String key, S3Operation op) {
        return request(method, bucket, key, op, Map.of(), List.of());
    }

    private static void assertDenied(String accessKey, S3Request r) {
        assertThatThrownBy(() -> POLICY.check(accessKey, r))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED));
    }

    private static void assertAllowed(String accessKey, S3Request r) {
        assertThatCode(() -> POLICY.check(accessKey, r)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource({"GET,b,k,GET_OBJECT", "HEAD,b,k,HEAD_OBJECT", "GET,b,,LIST_OBJECTS_V2", "GET,,,LIST_BUCKETS",
            "HEAD,b,,HEAD_BUCKET", "GET,b,k,GET_OBJECT_TAGGING", "GET,b,,LIST_MULTIPART_UPLOADS"})
    void readOnlyKeyMayReadAndList(String method, String bucket, String key, S3Operation op) {
        assertAllowed("reader", request(method, bucket, key, op));
    }

    @ParameterizedTest
    @CsvSource({"PUT,b,k,PUT_OBJECT", "DELETE,b,k,DELETE_OBJECT", "POST,b,,DELETE_OBJECTS", "PUT,b,,CREATE_BUCKET",
            "DELETE,b,,DELETE_BUCKET", "POST,b,k,CREATE_MULTIPART_UPLOAD", "PUT,b,k,UPLOAD_PART",
            "POST,b,k,COMPLETE_MULTIPART_UPLOAD", "DELETE,b,k,ABORT_MULTIPART_UPLOAD", "PUT,b,k,PUT_OBJECT_TAGGING",
            "PUT,b,k,COPY_OBJECT", "POST,b,k,OTHER_OBJECT", "PUT,b,,OTHER_BUCKET"})
    void readOnlyKeyMayNotWrite(String method, String bucket, String key, S3Operation op) {
        assertDenied("reader", request(method, bucket, key, op));
        assertAllowed("admin", request(method, bucket, key, op));
    }

    @Test
    void bucketLimitedKeyReachesItsBucketsOnly() {
        assertAllowed("team", request("PUT", "team-a", "k", S3Operation.PUT_OBJECT));
        assertAllowed("team", request("GET", "team-shared", null, S3Operation.LIST_OBJECTS_V2));
        assertAllowed("team", request("PUT", "team-a", null, S3Operation.CREATE_BUCKET));
        assertDenied("team", request("GET", "team-b", "k", S3Operation.GET_OBJECT));
        assertDenied("team", request("PUT", "team-a-evil", "k", S3Operation.PUT_OBJECT));
        assertDenied("team", request("GET", "TEAM-A", "k", S3Operation.GET_OBJECT));
    }

    @Test
    void bucketLimitedKeyMayNotListAllBuckets() {
        assertDenied("team", request("GET", null, null, S3Operation.LIST_BUCKETS));
        assertAllowed("admin", request("GET", null, null, S3Operation.LIST_BUCKETS));
    }

    @Test
    void copyMustReadFromAnAllowedBucketToo() {
        assertAllowed("team", request("PUT", "team-a", "k", S3Operation.COPY_OBJECT,
                Map.of("x-amz-copy-source", "/team-shared/src%20key?versionId=1"), List.of()));
        assertAllowed("team", request("PUT", "team-a", "k", S3Operation.COPY_OBJECT,
                Map.of("x-amz-copy-source", "team-a/src"), List.of()));
        assertDenied("team", request("PUT", "team-a", "k", S3Operation.COPY_OBJECT,
                Map.of("x-amz-copy-source", "/other/src"), List.of()));
        assertDenied("team", request("PUT", "team-a", "k", S3Operation.UPLOAD_PART_COPY,
                Map.of("x-amz-copy-source", "other/src"), List.of()));
        assertDenied("team", request("PUT", "team-a", "k", S3Operation.COPY_OBJECT,
                Map.of("x-amz-copy-source", "arn:aws:s3:us-east-1:123:accesspoint/ap/object/k"), List.of()));
        assertDenied("team", request("PUT", "team-a", "k", S3Operation.COPY_OBJECT, Map.of(),
                List.of(Map.entry("x-amz-copy-source", "other/src"))));
    }

    @Test
    void bothLimitsApply() {
        assertAllowed("team-reader", request("GET", "team-a", "k", S3Operation.GET_OBJECT));
        assertDenied("team-reader", request("PUT", "team-a", "k", S3Operation.PUT_OBJECT));
        assertDenied("team-reader", request("GET", "team-shared", "k", S3Operation.GET_OBJECT));
    }

    @Test
    void sourceBucketParsing() {
        assertThat(AccessPolicy.sourceBucket("/b/k")).isEqualTo("b");
        assertThat(AccessPolicy.sourceBucket("b/k/deeper?versionId=x")).isEqualTo("b");
        assertThat(AccessPolicy.sourceBucket("b%2Ek/k")).isEqualTo("b.k");
        assertThat(AccessPolicy.sourceBucket("b")).isNull();
        assertThat(AccessPolicy.sourceBucket("/")).isNull();
    }

    @Test
    void unlimitedAndUnknownKeysPass() {
        assertAllowed("admin", request("DELETE", "anything", "k", S3Operation.DELETE_OBJECT));
        assertThat(AccessPolicy.allowAll()).isNotNull();
        assertAllowed("not-configured", request("DELETE", "b", "k", S3Operation.DELETE_OBJECT));
    }
}
