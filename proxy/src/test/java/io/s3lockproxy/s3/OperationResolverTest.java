package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The operation table, driven by requests as the AWS SDK v2 and aws-cli send them. */
class OperationResolverTest {
    private static final Set<S3Operation> SEEN = EnumSet.noneOf(S3Operation.class);
    private static final String COPY = "copy";

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("GET", "/", null, S3Operation.LIST_BUCKETS),
                Arguments.of("PUT", "/b", null, S3Operation.CREATE_BUCKET),
                Arguments.of("DELETE", "/b", null, S3Operation.DELETE_BUCKET),
                Arguments.of("HEAD", "/b", null, S3Operation.HEAD_BUCKET),
                Arguments.of("GET", "/b", null, S3Operation.LIST_OBJECTS),
                Arguments.of("GET", "/b?prefix=a%2F&delimiter=%2F&max-keys=10&encoding-type=url", null, S3Operation.LIST_OBJECTS),
                Arguments.of("GET", "/b?list-type=2&prefix=x&continuation-token=abc&fetch-owner=true", null,
                        S3Operation.LIST_OBJECTS_V2),
                Arguments.of("GET", "/b/?list-type=2&start-after=k", null, S3Operation.LIST_OBJECTS_V2),
                Arguments.of("GET", "/b?versions&key-marker=k&version-id-marker=v", null, S3Operation.LIST_OBJECT_VERSIONS),
                Arguments.of("GET", "/b?uploads&max-uploads=5&upload-id-marker=u", null, S3Operation.LIST_MULTIPART_UPLOADS),
                Arguments.of("POST", "/b?delete", null, S3Operation.DELETE_OBJECTS),
                Arguments.of("POST", "/b?delete&x-id=DeleteObjects", null, S3Operation.DELETE_OBJECTS),
                Arguments.of("GET", "/b?versioning", null, S3Operation.OTHER_BUCKET),
                Arguments.of("PUT", "/b?versioning", null, S3Operation.OTHER_BUCKET),
                Arguments.of("GET", "/b?location", null, S3Operation.OTHER_BUCKET),
                Arguments.of("PUT", "/b?tagging", null, S3Operation.OTHER_BUCKET),
                Arguments.of("DELETE", "/b?policy", null, S3Operation.OTHER_BUCKET),
                Arguments.of("POST", "/b", null, S3Operation.POST_OBJECT),
                Arguments.of("POST", "/b?metadataTable", null, S3Operation.OTHER_BUCKET),

                Arguments.of("GET", "/b/k", null, S3Operation.GET_OBJECT),
                Arguments.of("GET", "/b/k?x-id=GetObject", null, S3Operation.GET_OBJECT),
                Arguments.of("GET", "/b/k?versionId=v1&partNumber=2&response-content-type=text%2Fplain", null,
                        S3Operation.GET_OBJECT),
                Arguments.of("GET", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00", null, S3Operation.GET_OBJECT),
                Arguments.of("HEAD", "/b/k", null, S3Operation.HEAD_OBJECT),
                Arguments.of("HEAD", "/b/k?partNumber=1", null, S3Operation.HEAD_OBJECT),
                Arguments.of("PUT", "/b/k", null, S3Operation.PUT_OBJECT),
                Arguments.of("PUT", "/b/k?x-id=PutObject", null, S3Operation.PUT_OBJECT),
                Arguments.of("PUT", "/b/k", COPY, S3Operation.COPY_OBJECT),
                Arguments.of("PUT", "/b/k?x-id=CopyObject", COPY, S3Operation.COPY_OBJECT),
                Arguments.of("DELETE", "/b/k", null, S3Operation.DELETE_OBJECT),
                Arguments.of("DELETE", "/b/k?x-id=DeleteObject&versionId=v", null, S3Operation.DELETE_OBJECT),
                Arguments.of("POST", "/b/k?uploads", null, S3Operation.CREATE_MULTIPART_UPLOAD),
                Arguments.of("POST", "/b/k?uploads&x-id=CreateMultipartUpload", null, S3Operation.CREATE_MULTIPART_UPLOAD),
                Arguments.of("PUT", "/b/k?partNumber=1&uploadId=u1", null, S3Operation.UPLOAD_PART),
                Arguments.of("PUT", "/b/k?x-id=UploadPart&partNumber=1&uploadId=u1", null, S3Operation.UPLOAD_PART),
                Arguments.of("PUT", "/b/k?partNumber=1&uploadId=u1", COPY, S3Operation.UPLOAD_PART_COPY),
                Arguments.of("POST", "/b/k?uploadId=u1", null, S3Operation.COMPLETE_MULTIPART_UPLOAD),
                Arguments.of("POST", "/b/k?uploadId=u1&x-id=CompleteMultipartUpload", null,
                        S3Operation.COMPLETE_MULTIPART_UPLOAD),
                Arguments.of("DELETE", "/b/k?uploadId=u1", null, S3Operation.ABORT_MULTIPART_UPLOAD),
                Arguments.of("GET", "/b/k?uploadId=u1&max-parts=10", null, S3Operation.LIST_PARTS),
                Arguments.of("PUT", "/b/k?tagging", null, S3Operation.PUT_OBJECT_TAGGING),
                Arguments.of("DELETE", "/b/k?tagging", null, S3Operation.DELETE_OBJECT_TAGGING),
                Arguments.of("GET", "/b/k?tagging", null, S3Operation.GET_OBJECT_TAGGING),
                Arguments.of("PUT", "/b/k?retention", null, S3Operation.PUT_OBJECT_RETENTION),
                Arguments.of("PUT", "/b/k?legal-hold", null, S3Operation.PUT_OBJECT_LEGAL_HOLD),
                Arguments.of("PUT", "/b/k?acl", null, S3Operation.OTHER_OBJECT),
                Arguments.of("PUT", "/b/k?renameObject", null, S3Operation.RENAME_OBJECT),
                Arguments.of("GET", "/b/k?acl", null, S3Operation.OTHER_OBJECT),
                Arguments.of("GET", "/b/k?attributes", null, S3Operation.OTHER_OBJECT),
                Arguments.of("POST", "/b/k?restore", null, S3Operation.OTHER_OBJECT),
                Arguments.of("POST", "/b/k?select&select-type=2", null, S3Operation.OTHER_OBJECT),
                Arguments.of("OPTIONS", "/b/k", null, S3Operation.OTHER_OBJECT));
    }

    @ParameterizedTest(name = "{0} {1} copy={2} -> {3}")
    @MethodSource("requests")
    void resolvesTheOperation(String method, String uri, String copy, S3Operation expected) {
        HttpRequest r = RequestParserTest.request(method, uri, "proxy:8080");
        if (copy != null) {
            r.headers().set("x-amz-copy-source", "/src/key");
        }
        S3Operation op = new RequestParser(null).parse(r, "id").operation();
        assertThat(op).isEqualTo(expected);
        SEEN.add(op);
    }

    @AfterAll
    static void everyOperationIsReachableFromARealisticRequest() {
        assertThat(SEEN).containsExactlyInAnyOrder(S3Operation.values());
    }

    @ParameterizedTest
    @MethodSource("writes")
    void onlyWritesToAKeyTakeItsLock(S3Operation op, boolean locks) {
        assertThat(op.locksKey()).isEqualTo(locks);
    }

    static Stream<Arguments> writes() {
        Set<S3Operation> writes = EnumSet.of(S3Operation.PUT_OBJECT, S3Operation.COPY_OBJECT, S3Operation.DELETE_OBJECT,
                S3Operation.DELETE_OBJECTS, S3Operation.COMPLETE_MULTIPART_UPLOAD, S3Operation.PUT_OBJECT_TAGGING,
                S3Operation.DELETE_OBJECT_TAGGING, S3Operation.PUT_OBJECT_RETENTION, S3Operation.PUT_OBJECT_LEGAL_HOLD,
                S3Operation.POST_OBJECT, S3Operation.RENAME_OBJECT);
        return Stream.of(S3Operation.values()).map(op -> Arguments.of(op, writes.contains(op)));
    }
}
