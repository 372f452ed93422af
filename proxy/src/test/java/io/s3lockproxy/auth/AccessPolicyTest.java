package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.config.ClientCredential;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AccessPolicyTest {
    /** The key kinds of the tables below, in the order of their verdict strings. */
    private static final List<String> KINDS = List.of("admin", "reader", "team", "team-admin", "auditor");
    private static final AccessPolicy POLICY = new AccessPolicy(List.of(
            new ClientCredential("admin", "s"),
            new ClientCredential("reader", "s", List.of(), true),
            new ClientCredential("team", "s", List.of("team-a", "team-shared"), false),
            new ClientCredential("team-admin", "s", List.of("team-a", "team-shared"), false, true),
            new ClientCredential("auditor", "s", List.of(), true, true),
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

    /** Parses a request line the way the proxy does: {@code uri} is path and query, {@code header} "name: value" or empty. */
    private static S3Request parsed(String method, String uri, String header) {
        var head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        head.headers().set("Host", "proxy");
        if (header != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            head.headers().add(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        return new RequestParser(null).parse(head, "req");
    }

    private static void assertDenied(String accessKey, S3Request r) {
        assertThatThrownBy(() -> POLICY.check(accessKey, r))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED));
    }

    private static void assertAllowed(String accessKey, S3Request r) {
        assertThatCode(() -> POLICY.check(accessKey, r)).doesNotThrowAnyException();
    }

    /** Checks {@code r} against every key kind: 'A' allowed, 'D' denied, in the order of {@link #KINDS}. */
    private static void assertVerdicts(S3Request r, String verdicts) {
        List<String> got = new ArrayList<>();
        for (String kind : KINDS) {
            try {
                POLICY.check(kind, r);
                got.add("A");
            } catch (S3Exception e) {
                assertThat(e.code()).isEqualTo(S3ErrorCode.ACCESS_DENIED);
                got.add("D");
            }
        }
        assertThat(String.join("", got)).as("%s %s for %s", r.method(), r.rawPath() + "?" + r.rawQuery(), KINDS)
                .isEqualTo(verdicts);
    }

    // Verdicts for: admin (no limits), reader (readOnly), team (buckets), team-admin (buckets, bucketAdmin),
    // auditor (readOnly, bucketAdmin).
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "GET    | /team-a/k                               |                                   | AAAAA",
            "HEAD   | /team-a/k                               |                                   | AAAAA",
            "PUT    | /team-a/k                               |                                   | ADAAD",
            "DELETE | /team-a/k                               |                                   | ADAAD",
            "GET    | /team-a?list-type=2&prefix=p&x-id=ListObjectsV2 |                           | AAAAA",
            "GET    | /team-a/                                |                                   | AAAAA",
            "GET    | /team-a?versions                        |                                   | AAAAA",
            "GET    | /team-a?uploads                         |                                   | AAAAA",
            "GET    | /team-a?location                        |                                   | AAAAA",
            "HEAD   | /team-a                                 |                                   | AAAAA",
            "POST   | /team-a?delete                          |                                   | ADAAD",
            "POST   | /team-a/k?uploads                       |                                   | ADAAD",
            "PUT    | /team-a/k?partNumber=1&uploadId=u       |                                   | ADAAD",
            "POST   | /team-a/k?uploadId=u                    |                                   | ADAAD",
            "DELETE | /team-a/k?uploadId=u                    |                                   | ADAAD",
            "GET    | /team-a/k?uploadId=u                    |                                   | AAAAA",
            "GET    | /team-a/k?tagging                       |                                   | AAAAA",
            "PUT    | /team-a/k?tagging                       |                                   | ADAAD",
            "DELETE | /team-a/k?tagging                       |                                   | ADAAD",
            "GET    | /team-a/k?attributes                    |                                   | AAAAA",
            "GET    | /team-a/k?versionId=v&response-content-type=t |                             | AAAAA",
            "POST   | /team-a/k?select&select-type=2          |                                   | ADAAD",
            "PUT    | /team-a/k                               | x-amz-tagging: a=b                | ADAAD",
            "PUT    | /team-a/k                               | x-amz-acl: private                | ADAAD",
            "PUT    | /team-a/k                               | x-amz-acl: bucket-owner-full-control | ADAAD",
            "PUT    | /team-a/k                               | x-amz-copy-source: /team-a/src    | ADAAD",
            // Bucket administration: creating and deleting the bucket itself.
            "PUT    | /team-a                                 |                                   | ADDAD",
            "DELETE | /team-a                                 |                                   | ADDAD",
            "POST   | /team-a                                 |                                   | ADDAD",
            // ACL authority on objects, retention and legal holds, reading them too.
            "GET    | /team-a/k?acl                           |                                   | ADDAA",
            "PUT    | /team-a/k?acl                           |                                   | ADDAD",
            "GET    | /team-a/k?retention                     |                                   | ADDAA",
            "PUT    | /team-a/k?retention                     |                                   | ADDAD",
            "GET    | /team-a/k?legal-hold                    |                                   | ADDAA",
            "PUT    | /team-a/k?legal-hold                    |                                   | ADDAD",
            "POST   | /team-a/k?restore                       |                                   | ADDAD",
            "PUT    | /team-a/k?unknown-sub                   |                                   | ADDAD",
            "OPTIONS| /team-a/k                               |                                   | ADDAD",
            // Headers that publish, grant or lock.
            "PUT    | /team-a/k                               | x-amz-acl: public-read            | ADDAD",
            "PUT    | /team-a/k                               | X-Amz-Acl: authenticated-read     | ADDAD",
            "PUT    | /team-a/k                               | x-amz-grant-read: uri=http://acs.amazonaws.com/groups/global/AllUsers | ADDAD",
            "PUT    | /team-a/k                               | x-amz-grant-full-control: id=123  | ADDAD",
            "PUT    | /team-a/k                               | x-amz-grant-write-acp: id=123     | ADDAD",
            "POST   | /team-a/k?uploads                       | x-amz-grant-read-acp: id=123      | ADDAD",
            "PUT    | /team-a/k                               | x-amz-object-lock-mode: COMPLIANCE | ADDAD",
            "PUT    | /team-a/k                               | x-amz-object-lock-retain-until-date: 2099-01-01T00:00:00Z | ADDAD",
            "PUT    | /team-a/k                               | x-amz-object-lock-legal-hold: ON  | ADDAD",
            "DELETE | /team-a/k?versionId=v                   | x-amz-bypass-governance-retention: true | ADDAD",
            "POST   | /team-a?delete                          | x-amz-bypass-governance-retention: true | ADDAD",
            "GET    | /team-a/k                               | x-amz-acl: public-read            | ADDAA",
            // The same as presigned query parameters, any case.
            "PUT    | /team-a/k?x-amz-acl=public-read         |                                   | ADDAD",
            "PUT    | /team-a/k?X-Amz-Grant-Read=id%3D1       |                                   | ADDAD",
            "PUT    | /team-a/k?x-amz-acl=private             |                                   | ADAAD",
            "GET    | /team-a/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00 |             | AAAAA",
            "GET    | /team-a/k?AWSAccessKeyId=a&Expires=1&Signature=s |                          | AAAAA",
            // CreateSession hands out upstream credentials: no limited key gets them.
            "GET    | /team-a?session                         | x-amz-create-session-mode: ReadOnly | ADDDD",
    })
    void operationsByKeyKind(String method, String uri, String header, String verdicts) {
        assertVerdicts(parsed(method, uri, header), verdicts);
    }

    /** Bucket sub-resources from the S3 API reference: configuration, ACLs, policies, and their status. */
    private static final List<String> BUCKET_SUBRESOURCES = List.of(
            "acl", "policy", "policyStatus", "publicAccessBlock", "cors", "lifecycle", "replication", "encryption",
            "object-lock", "ownershipControls", "logging", "notification", "website", "tagging", "versioning",
            "accelerate", "requestPayment", "analytics", "inventory", "metrics", "intelligent-tiering",
            "metadataTable", "metadataConfiguration", "metadataInventoryTable", "metadataJournalTable");

    static Stream<Arguments> bucketConfiguration() {
        return BUCKET_SUBRESOURCES.stream().flatMap(s -> Stream.of(
                Arguments.of("GET", s, "ADDAA"), Arguments.of("PUT", s, "ADDAD"), Arguments.of("DELETE", s, "ADDAD"),
                Arguments.of("HEAD", s, "ADDAA")));
    }

    @ParameterizedTest(name = "{0} ?{1}")
    @MethodSource("bucketConfiguration")
    void bucketConfigurationNeedsBucketAdminToReadAndToChange(String method, String subresource, String verdicts) {
        assertVerdicts(parsed(method, "/team-a?" + subresource, ""), verdicts);
        assertVerdicts(parsed(method, "/team-a/?" + subresource + "&id=x", ""), verdicts);
    }

    @Test
    void theSubresourceThatNeedsAuthorityIsNamed() {
        assertThatThrownBy(() -> POLICY.check("team", parsed("PUT", "/team-a?policy", "")))
                .hasMessageContaining("team").hasMessageContaining("?policy").hasMessageContaining("bucketAdmin");
        assertThatThrownBy(() -> POLICY.check("team", parsed("PUT", "/team-a/k", "x-amz-acl: public-read")))
                .hasMessageContaining("x-amz-acl: public-read");
        assertThatThrownBy(() -> POLICY.check("team", parsed("DELETE", "/team-a", "")))
                .hasMessageContaining("DeleteBucket");
    }

    @Test
    void bucketAdminDoesNotWidenTheBucketList() {
        assertDenied("team-admin", parsed("PUT", "/team-b?policy", ""));
        assertDenied("team-admin", parsed("GET", "/team-b/k", ""));
        assertDenied("team-admin", parsed("GET", "/", ""));
        assertDenied("team-admin", parsed("PUT", "/team-a/k", "x-amz-copy-source: /other/src"));
        assertAllowed("team-admin", parsed("PUT", "/team-shared?acl", "x-amz-acl: public-read"));
        assertDenied("auditor", parsed("PUT", "/team-a?policy", ""));
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
        assertDenied("auditor", request(method, bucket, key, op));
        assertAllowed("admin", request(method, bucket, key, op));
    }

    @Test
    void bucketLimitedKeyReachesItsBucketsOnly() {
        assertAllowed("team", request("PUT", "team-a", "k", S3Operation.PUT_OBJECT));
        assertAllowed("team", request("GET", "team-shared", null, S3Operation.LIST_OBJECTS_V2));
        assertDenied("team", request("GET", "team-b", "k", S3Operation.GET_OBJECT));
        assertDenied("team", request("PUT", "team-a-evil", "k", S3Operation.PUT_OBJECT));
        assertDenied("team", request("GET", "TEAM-A", "k", S3Operation.GET_OBJECT));
    }

    @Test
    void bucketLimitedKeyMayNotListAllBuckets() {
        assertDenied("team", request("GET", null, null, S3Operation.LIST_BUCKETS));
        assertAllowed("admin", request("GET", null, null, S3Operation.LIST_BUCKETS));
        assertAllowed("reader", parsed("GET", "/?max-buckets=10&bucket-region=eu-west-1&prefix=a", ""));
    }

    @Test
    void everyCopySourceMustBeInAnAllowedBucket() {
        assertAllowed("team", parsed("PUT", "/team-a/k", "x-amz-copy-source: /team-shared/src%20key?versionId=1"));
        assertAllowed("team", parsed("PUT", "/team-a/k", "x-amz-copy-source: team-a/src"));
        assertAllowed("team", parsed("PUT", "/team-a/k?partNumber=1&uploadId=u", "x-amz-copy-source: team-a/src"));
        assertDenied("team", parsed("PUT", "/team-a/k", "x-amz-copy-source: /other/src"));
        assertDenied("team", parsed("PUT", "/team-a/k?partNumber=1&uploadId=u", "x-amz-copy-source: other/src"));
        assertDenied("team", parsed("PUT", "/team-a/k", "x-amz-copy-source: arn:aws:s3:us-east-1:123:accesspoint/ap/object/k"));
        assertDenied("team", parsed("PUT", "/team-a/k", "x-amz-copy-source: arn%3Aaws%3As3%3Aus-east-1%3A123%3Aaccesspoint/ap/object/k"));
        assertDenied("team", parsed("PUT", "/team-a/k?x-amz-copy-source=other%2Fsrc", ""));
        assertDenied("team", parsed("PUT", "/team-a/k?X-Amz-Copy-Source=%2Fother%2Fsrc", ""));
        assertDenied("team", parsed("PUT", "/team-a/k?renameObject", "x-amz-rename-source: /other/src"));
        assertAllowed("team", parsed("PUT", "/team-a/k?renameObject", "x-amz-rename-source: /team-a/src"));
        // A source key with dot segments stays in its bucket: it goes upstream with the dots escaped.
        assertAllowed("team", parsed("PUT", "/team-a/k", "x-amz-copy-source: /team-a/../other/src"));
        assertAllowed("admin", parsed("PUT", "/team-a/k", "x-amz-copy-source: /other/src"));
        assertAllowed("admin", parsed("PUT", "/team-a/k", "x-amz-copy-source: arn:aws:s3:us-east-1:123:accesspoint/ap/object/k"));
    }

    @Test
    void copySourceThatNamesNoSingleBucketIsRefusedOrRepeatedIsRefused() {
        for (String source : List.of("team-a%2F..%2Fother/src", "/../other/src", "./src", "team-a%5C..%5Cother/x",
                "team-a", "/team-a/", "%FF/k", "team-a/k?partNumber=1")) {
            assertThatThrownBy(() -> POLICY.check("team", parsed("PUT", "/team-a/k", "x-amz-copy-source: " + source)))
                    .as(source)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_ARGUMENT));
        }
        S3Request twice = request("PUT", "team-a", "k", S3Operation.COPY_OBJECT, Map.of("x-amz-copy-source", "team-a/src"),
                List.of(Map.entry("x-amz-copy-source", "other/src")));
        assertThatThrownBy(() -> POLICY.check("team", twice))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void bothLimitsApply() {
        assertAllowed("team-reader", request("GET", "team-a", "k", S3Operation.GET_OBJECT));
        assertDenied("team-reader", request("PUT", "team-a", "k", S3Operation.PUT_OBJECT));
        assertDenied("team-reader", request("GET", "team-shared", "k", S3Operation.GET_OBJECT));
        assertDenied("team-reader", parsed("GET", "/team-a?policy", ""));
    }

    @Test
    void unlimitedAndUnknownKeysPass() {
        assertAllowed("admin", request("DELETE", "anything", "k", S3Operation.DELETE_OBJECT));
        assertAllowed("admin", parsed("PUT", "/anything?policy", "x-amz-grant-read: id=1"));
        assertThat(AccessPolicy.allowAll()).isNotNull();
        assertAllowed("not-configured", request("DELETE", "b", "k", S3Operation.DELETE_OBJECT));
        assertDenied(null, request("GET", "b", "k", S3Operation.GET_OBJECT));
    }
}
