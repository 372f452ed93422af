package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CopySourceTest {

    private static S3Request request(Map<String, String> headers, List<Map.Entry<String, String>> query) {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        headers.forEach(h::add);
        return new S3Request("r", "PUT", "/b/k", "", query, h, "b", "k", S3Operation.COPY_OBJECT);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "/b/k|b|k|-|/b/k",
            "b/k/deeper?versionId=x|b|k/deeper|x|/b/k/deeper?versionId=x",
            "b%2Ek/k|b.k|k|-|/b.k/k",
            "/b/src%20key+plus%2Bmore|b|src key+plus+more|-|/b/src%20key%2Bplus%2Bmore",
            "/b/a%2Fb|b|a/b|-|/b/a/b",
            "/b/../other/k|b|../other/k|-|/b/%2E%2E/other/k",
            "b/./%2e%2e/x?versionId=v%2F1|b|./../x|v/1|/b/%2E/%2E%2E/x?versionId=v%2F1"})
    void bucketIsTheFirstSegmentAsSentAndTheRestIsTheKey(String value, String bucket, String key, String versionId,
                                                         String upstream) {
        CopySource s = CopySource.parse("x-amz-copy-source", value);
        assertThat(s.bucket()).isEqualTo(bucket);
        assertThat(s.key()).isEqualTo(key);
        assertThat(s.versionId()).isEqualTo(versionId);
        assertThat(s.arn()).isFalse();
        assertThat(s.upstreamValue()).isEqualTo(upstream);
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/object/reports/jan.pdf",
            "arn%3Aaws%3As3-outposts%3Aus-west-2%3A1%3Aoutpost/op/accesspoint/ap/object/k?versionId=v"})
    void arnsNameNoBucketAndGoUpstreamAsSent(String value) {
        CopySource s = CopySource.parse("x-amz-copy-source", value);
        assertThat(s.arn()).isTrue();
        assertThat(s.upstreamValue()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"b", "/b", "b/", "/b/", "/", "", "//k", "b%2F..%2Fother/k", "../other/k", "./k",
            "%2E%2E/k", "b%5Cc/k", "%FF/k", "b/%C3", "b/k?partNumber=1", "b/k?versionId=%zz"})
    void aSourceThatNamesNoSingleBucketAndKeyIsInvalidArgument(String value) {
        assertThatThrownBy(() -> CopySource.parse("x-amz-copy-source", value)).as(value)
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("x-amz-copy-source");
                });
    }

    @Test
    void headersAndPresignedQueryParametersAreAllFound() {
        List<CopySource> sources = CopySource.of(request(Map.of("X-Amz-Copy-Source", "/a/1"),
                List.of(Map.entry("X-AMZ-RENAME-SOURCE", "/b/2"), Map.entry("prefix", "p"))));
        assertThat(sources).extracting(CopySource::name).containsExactly("x-amz-copy-source", "x-amz-rename-source");
        assertThat(sources).extracting(CopySource::bucket).containsExactly("a", "b");
        assertThat(CopySource.of(request(Map.of(), List.of()))).isEmpty();
    }

    @Test
    void aSourceGivenTwiceIsInvalidArgument() {
        assertThatThrownBy(() -> CopySource.of(request(Map.of("x-amz-copy-source", "/a/1"),
                List.of(Map.entry("x-amz-copy-source", "/b/2")))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.INVALID_ARGUMENT));
        DefaultHttpHeaders twice = new DefaultHttpHeaders();
        twice.add("x-amz-copy-source", "/a/1");
        twice.add("x-amz-copy-source", "/b/2");
        S3Request r = new S3Request("r", "PUT", "/b/k", "", List.of(), twice, "b", "k", S3Operation.COPY_OBJECT);
        assertThatThrownBy(() -> CopySource.of(r)).isInstanceOf(S3Exception.class);
    }
}
