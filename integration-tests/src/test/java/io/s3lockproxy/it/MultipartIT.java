package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Object;

class MultipartIT extends ProxyTestEnvironment {
    private static final int FIVE_MIB = 5 << 20;
    private static final int ONE_MIB = 1 << 20;

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void uploadListComplete(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        String key = "multi/part object";
        byte[] first = Payloads.random(FIVE_MIB);
        byte[] second = Payloads.random(ONE_MIB);

        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String etag1 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(first)).eTag();
        String etag2 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(second)).eTag();

        List<Part> parts = s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts();
        assertThat(parts).extracting(Part::partNumber, Part::size, Part::eTag).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, (long) FIVE_MIB, etag1),
                org.assertj.core.groups.Tuple.tuple(2, (long) ONE_MIB, etag2));
        assertNotUpstream(key); // nothing visible before the commit point

        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(part(1, etag1), part(2, etag2))));

        byte[] expected = concat(first, second);
        assertThat(Payloads.sha256Hex(readDirectly(key))).isEqualTo(Payloads.sha256Hex(expected));
        assertThat(Payloads.sha256Hex(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()))
                .isEqualTo(Payloads.sha256Hex(expected));
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void uploadPartCopy(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        byte[] source = Payloads.random(FIVE_MIB);
        direct.putObject(b -> b.bucket(bucket).key("copy-source"), RequestBody.fromBytes(source));
        byte[] tail = Payloads.random(ONE_MIB);

        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("assembled")).uploadId();
        String etag1 = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("copy-source")
                .destinationBucket(bucket).destinationKey("assembled").uploadId(uploadId).partNumber(1))
                .copyPartResult().eTag();
        String etag2 = s3.uploadPart(b -> b.bucket(bucket).key("assembled").uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(tail)).eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("assembled").uploadId(uploadId)
                .multipartUpload(m -> m.parts(part(1, etag1), part(2, etag2))));

        assertThat(Payloads.sha256Hex(readDirectly("assembled"))).isEqualTo(Payloads.sha256Hex(concat(source, tail)));
    }

    @Test
    void abortLeavesNothing() {
        S3Client s3 = client(ClientFlavour.DEFAULTS);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("aborted")).uploadId();
        s3.uploadPart(b -> b.bucket(bucket).key("aborted").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(Payloads.random(ONE_MIB)));
        assertThat(direct.listMultipartUploads(b -> b.bucket(bucket)).uploads()).extracting(MultipartUpload::uploadId)
                .contains(uploadId);

        s3.abortMultipartUpload(b -> b.bucket(bucket).key("aborted").uploadId(uploadId));

        assertThat(direct.listMultipartUploads(b -> b.bucket(bucket)).uploads()).extracting(MultipartUpload::uploadId)
                .doesNotContain(uploadId);
        // S3 answers NoSuchUpload here, S3Proxy an empty list: the proxy must say what the backend says
        assertThat(Outcome.of(() -> s3.listParts(b -> b.bucket(bucket).key("aborted").uploadId(uploadId))))
                .isEqualTo(Outcome.of(() -> direct.listParts(b -> b.bucket(bucket).key("aborted").uploadId(uploadId))));
        assertNotUpstream("aborted");
    }

    @ParameterizedTest
    @EnumSource(ClientFlavour.class)
    void deleteObjectsRemovesEveryKey(ClientFlavour flavour) {
        S3Client s3 = client(flavour);
        List<String> keys = List.of("del/1", "del/2 two", "del/3+three", "keep/4");
        keys.forEach(k -> direct.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString(k)));

        var response = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                ObjectIdentifier.builder().key("del/1").build(),
                ObjectIdentifier.builder().key("del/2 two").build(),
                ObjectIdentifier.builder().key("del/3+three").build(),
                ObjectIdentifier.builder().key("del/never-existed").build())));

        assertThat(response.errors()).isEmpty();
        assertThat(response.deleted()).extracting(DeletedObject::key)
                .contains("del/1", "del/2 two", "del/3+three");
        assertThat(direct.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                .containsExactly("keep/4");
    }

    private static CompletedPart part(int number, String etag) {
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
