package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

class ListObjectsIT extends ProxyTestEnvironment {
    /** 25 keys: 20 under a/, 2 under b/, 1 under c/d/, 2 at the top. Sorted. */
    private static final List<String> KEYS = Stream.concat(
            IntStream.range(0, 20).mapToObj(i -> String.format("a/%03d", i)),
            Stream.of("b/x1", "b/x2", "c/d/e1", "top1", "top2")).sorted().toList();

    @BeforeEach
    void putKeysDirectly() {
        KEYS.forEach(k -> direct.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString(k)));
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void v2PagesWithContinuationTokens(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String current = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(7).continuationToken(current));
            assertThat(page.contents()).hasSizeLessThanOrEqualTo(7);
            page.contents().forEach(o -> seen.add(o.key()));
            token = page.isTruncated() ? page.nextContinuationToken() : null;
            pages++;
        } while (token != null && pages < 20);
        assertThat(seen).containsExactlyElementsOf(KEYS);
        assertThat(pages).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void v1PagesWithMarkers(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        List<String> seen = new ArrayList<>();
        String marker = null;
        int pages = 0;
        do {
            String current = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).maxKeys(10).marker(current));
            page.contents().forEach(o -> seen.add(o.key()));
            marker = page.isTruncated() ? seen.get(seen.size() - 1) : null;
            pages++;
        } while (marker != null && pages < 20);
        assertThat(seen).containsExactlyElementsOf(KEYS);
        assertThat(pages).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void delimiterGroupsCommonPrefixes(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        ListObjectsV2Response v2 = s3.listObjectsV2(b -> b.bucket(bucket).delimiter("/"));
        assertThat(v2.contents()).extracting(S3Object::key).containsExactly("top1", "top2");
        assertThat(v2.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("a/", "b/", "c/");

        ListObjectsResponse v1 = s3.listObjects(b -> b.bucket(bucket).delimiter("/").prefix("c/"));
        assertThat(v1.contents()).isEmpty();
        assertThat(v1.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("c/d/");
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void prefixFilters(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("a/01")).contents()).extracting(S3Object::key)
                .containsExactlyElementsOf(KEYS.stream().filter(k -> k.startsWith("a/01")).toList())
                .hasSize(10);
        assertThat(s3.listObjects(b -> b.bucket(bucket).prefix("b/")).contents()).extracting(S3Object::key)
                .containsExactly("b/x1", "b/x2");
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("nothing-here/")).keyCount()).isZero();
    }
}
