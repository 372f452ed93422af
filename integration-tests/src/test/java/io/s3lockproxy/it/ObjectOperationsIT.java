package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

class ObjectOperationsIT extends ProxyTestEnvironment {

    static Stream<Arguments> sizes() {
        return Stream.of(0, 1, 1 << 20, 20 << 20).flatMap(size ->
                Stream.of(ClientFlavour.values()).map(flavour -> Arguments.of(flavour, size)));
    }

    @ParameterizedTest(name = "{0} {1} bytes")
    @MethodSource("sizes")
    void putGetHeadDelete(ClientFlavour flavour, int size) {
        S3Client s3 = client(flavour);
        String key = "objects/size-" + size;
        byte[] body = Payloads.random(size);

        PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
        assertThat(put.eTag()).isNotBlank();

        assertThat(Payloads.sha256Hex(readDirectly(key))).as("bytes stored upstream")
                .isEqualTo(Payloads.sha256Hex(body));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        assertThat(Payloads.sha256Hex(got.asByteArray())).as("bytes read through the proxy")
                .isEqualTo(Payloads.sha256Hex(body));
        assertThat(got.response().contentLength()).isEqualTo(size);
        assertThat(got.response().eTag()).isEqualTo(put.eTag());

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
        assertThat(head.contentLength()).isEqualTo(size);
        assertThat(head.eTag()).isEqualTo(put.eTag());

        s3.deleteObject(b -> b.bucket(bucket).key(key));
        assertNotUpstream(key);
        assertThatThrownBy(() -> s3.getObject(b -> b.bucket(bucket).key(key)))
                .satisfies(e -> S3ErrorAssert.assertError(e, 404, "NoSuchKey"));
    }

    static Stream<Arguments> awkwardKeys() {
        return Stream.of("ünïcödé/日本語 ключ.txt", "with space.txt", "a+b=c&d.txt", "100% sure.txt",
                "tilde~file", "semi;colon,comma'quote(paren)!*", "deep/a/b/c/d/e/f/g.bin")
                .flatMap(key -> Stream.of(ClientFlavour.values()).map(flavour -> Arguments.of(flavour, key)));
    }

    @ParameterizedTest(name = "{0} key \"{1}\"")
    @MethodSource("awkwardKeys")
    void keysAreForwardedUnchanged(ClientFlavour flavour, String key) {
        S3Client s3 = client(flavour);
        byte[] body = Payloads.random(1000);
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));

        assertThat(direct.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                .as("the key as stored upstream").containsExactly(key);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).isEqualTo(body);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                .containsExactly(key);

        s3.deleteObject(b -> b.bucket(bucket).key(key));
        assertNotUpstream(key);
    }

    /**
     * Keys some backends refuse (S3Proxy fails "//" on its side, a trailing slash is a folder
     * marker): the proxy must do exactly what the backend does directly.
     */
    @ParameterizedTest(name = "{0} key \"{1}\"")
    @MethodSource("backendDependentKeys")
    void backendDependentKeysBehaveAsUpstream(ClientFlavour flavour, String key) {
        String directBucket = newBucketName();
        direct.createBucket(b -> b.bucket(directBucket));
        // own clients: a backend that refuses the request may close the connection under the upload,
        // which must not leave a dead pooled connection behind for the other tests
        Outcome upstream;
        try (S3Client upstreamClient = Clients.direct(backend);
             S3Client s3 = Clients.s3(endpoint, accessKey, secretKey, flavour)) {
            upstream = Outcome.of(() -> upstreamClient.putObject(b -> b.bucket(directBucket).key(key),
                    RequestBody.empty()));
            Outcome viaProxy = Outcome.of(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.empty()));
            assertThat(viaProxy).as("outcome through the proxy vs. directly").isEqualTo(upstream);
        } finally {
            removeBucketDirectly(directBucket);
        }
        var stored = direct.listObjectsV2(b -> b.bucket(bucket)).contents();
        if (upstream.ok()) {
            assertThat(stored).extracting(S3Object::key).as("what landed upstream").containsExactly(key);
        } else {
            assertThat(stored).as("nothing may land upstream when the backend refuses").isEmpty();
        }
    }

    static Stream<Arguments> backendDependentKeys() {
        return Stream.of("double//slash", "folder/")
                .flatMap(key -> Stream.of(ClientFlavour.values()).map(flavour -> Arguments.of(flavour, key)));
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void rangeGets(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        byte[] body = Payloads.random(200);
        s3.putObject(b -> b.bucket(bucket).key("ranged"), RequestBody.fromBytes(body));

        ResponseBytes<GetObjectResponse> first = s3.getObjectAsBytes(b -> b.bucket(bucket).key("ranged").range("bytes=0-0"));
        assertThat(first.asByteArray()).containsExactly(body[0]);
        assertThat(first.response().contentRange()).isEqualTo("bytes 0-0/200");

        ResponseBytes<GetObjectResponse> middle = s3.getObjectAsBytes(b -> b.bucket(bucket).key("ranged").range("bytes=10-99"));
        assertThat(middle.asByteArray()).isEqualTo(java.util.Arrays.copyOfRange(body, 10, 100));
        assertThat(middle.response().contentRange()).isEqualTo("bytes 10-99/200");

        ResponseBytes<GetObjectResponse> suffix = s3.getObjectAsBytes(b -> b.bucket(bucket).key("ranged").range("bytes=-5"));
        assertThat(suffix.asByteArray()).isEqualTo(java.util.Arrays.copyOfRange(body, 195, 200));
        assertThat(suffix.response().contentRange()).isEqualTo("bytes 195-199/200");
    }

    @Test
    void conditionalGets() {
        S3Client s3 = client(ClientFlavour.DEFAULTS);
        s3.putObject(b -> b.bucket(bucket).key("cond"), RequestBody.fromString("conditional"));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("cond"));
        String etag = head.eTag();
        Instant modified = head.lastModified();

        assertThatThrownBy(() -> s3.getObject(b -> b.bucket(bucket).key("cond").ifNoneMatch(etag)))
                .satisfies(e -> assertThat(((software.amazon.awssdk.services.s3.model.S3Exception) e).statusCode())
                        .isEqualTo(304));
        assertThatThrownBy(() -> s3.getObject(b -> b.bucket(bucket).key("cond").ifMatch("\"0123456789abcdef0123456789abcdef\"")))
                .satisfies(e -> S3ErrorAssert.assertError(e, 412, "PreconditionFailed"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("cond").ifMatch(etag)).asUtf8String())
                .isEqualTo("conditional");

        assertThatThrownBy(() -> s3.getObject(b -> b.bucket(bucket).key("cond")
                .ifModifiedSince(modified.plus(1, ChronoUnit.HOURS))))
                .satisfies(e -> assertThat(((software.amazon.awssdk.services.s3.model.S3Exception) e).statusCode())
                        .isEqualTo(304));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("cond")
                .ifModifiedSince(modified.minus(1, ChronoUnit.DAYS))).asUtf8String()).isEqualTo("conditional");
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void userMetadataAndContentTypeRoundTrip(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        Map<String, String> metadata = Map.of("colour", "blue", "owner-id", "4711", "note", "a b=c");
        String contentType = "text/plain; charset=utf-8";
        s3.putObject(b -> b.bucket(bucket).key("meta").metadata(metadata).contentType(contentType),
                RequestBody.fromString("metadata"));

        // backends may drop the blank after ';' (S3Proxy does): compare with what the backend reports
        HeadObjectResponse upstream = direct.headObject(b -> b.bucket(bucket).key("meta"));
        assertThat(upstream.metadata()).containsExactlyInAnyOrderEntriesOf(metadata);
        assertThat(normalized(upstream.contentType())).isEqualTo(normalized(contentType));

        HeadObjectResponse viaProxy = s3.headObject(b -> b.bucket(bucket).key("meta"));
        assertThat(viaProxy.metadata()).containsExactlyInAnyOrderEntriesOf(metadata);
        assertThat(viaProxy.contentType()).isEqualTo(upstream.contentType());

        GetObjectResponse get = s3.getObjectAsBytes(b -> b.bucket(bucket).key("meta")).response();
        assertThat(get.metadata()).containsExactlyInAnyOrderEntriesOf(metadata);
        assertThat(get.contentType()).isEqualTo(upstream.contentType());
    }

    private static String normalized(String mediaType) {
        return mediaType.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }
}
