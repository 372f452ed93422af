package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

class PresignedIT extends ProxyTestEnvironment {

    private URI presignGet(String key, Duration validity) {
        try (S3Presigner presigner = presigner()) {
            PresignedGetObjectRequest request = presigner.presignGetObject(p -> p.signatureDuration(validity)
                    .getObjectRequest(g -> g.bucket(bucket).key(key)));
            return URI.create(request.url().toString());
        }
    }

    private PresignedPutObjectRequest presignPut(String key, Duration validity) {
        try (S3Presigner presigner = presigner()) {
            return presigner.presignPutObject(p -> p.signatureDuration(validity)
                    .putObjectRequest(o -> o.bucket(bucket).key(key).contentType("application/octet-stream")));
        }
    }

    @Test
    void presignedGetWithHttpClient() {
        byte[] body = Payloads.random(70_000);
        direct.putObject(b -> b.bucket(bucket).key("shared/file one.bin"), RequestBody.fromBytes(body));

        RawHttp.Response response = RawHttp.get(presignGet("shared/file one.bin", Duration.ofMinutes(5)));

        assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void presignedPutWithHttpClient() {
        byte[] body = Payloads.random(123_456);
        PresignedPutObjectRequest put = presignPut("uploads/by+url", Duration.ofMinutes(5));

        RawHttp.Response response = RawHttp.put(URI.create(put.url().toString()), put.signedHeaders(), body);

        assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
        assertThat(readDirectly("uploads/by+url")).isEqualTo(body);
    }

    @Test
    void presignedGetAndPutWithCurl() throws IOException {
        Executables.assumeOnPath("curl", "curl");
        byte[] body = Payloads.random(200_000);
        Path file = Files.createTempFile("presigned-", ".bin");
        try {
            Files.write(file, body);
            PresignedPutObjectRequest put = presignPut("curl/object", Duration.ofMinutes(5));
            List<String> headers = put.signedHeaders().entrySet().stream()
                    .filter(e -> !e.getKey().equalsIgnoreCase("host"))
                    .flatMap(e -> e.getValue().stream().map(v -> e.getKey() + ": " + v)).toList();

            Curl.Result uploaded = Curl.put(put.url().toString(), file, headers);
            assertThat(uploaded.status()).as(uploaded.bodyText()).isEqualTo(200);
            assertThat(readDirectly("curl/object")).isEqualTo(body);

            Curl.Result downloaded = Curl.get(presignGet("curl/object", Duration.ofMinutes(5)).toString());
            assertThat(downloaded.status()).isEqualTo(200);
            assertThat(downloaded.body()).isEqualTo(body);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void expiredPresignedUrlsAreRefused() throws InterruptedException {
        direct.putObject(b -> b.bucket(bucket).key("soon-gone"), RequestBody.fromString("x"));
        URI get = presignGet("soon-gone", Duration.ofSeconds(1));
        PresignedPutObjectRequest put = presignPut("never-written", Duration.ofSeconds(1));
        Thread.sleep(2_100);

        S3ErrorAssert.assertError(RawHttp.get(get), 403, "AccessDenied");
        S3ErrorAssert.assertError(RawHttp.put(URI.create(put.url().toString()), put.signedHeaders(),
                Payloads.random(100)), 403, "AccessDenied");
        assertNotUpstream("never-written");
    }

    @Test
    void presignedUrlForOneKeyDoesNotOpenAnother() {
        direct.putObject(b -> b.bucket(bucket).key("public"), RequestBody.fromString("p"));
        direct.putObject(b -> b.bucket(bucket).key("secret"), RequestBody.fromString("s"));
        URI url = presignGet("public", Duration.ofMinutes(5));
        URI tampered = URI.create(url.toString().replace("/public?", "/secret?"));

        S3ErrorAssert.assertError(RawHttp.send("GET", tampered, Map.of(), null), 403, "SignatureDoesNotMatch");
    }
}
