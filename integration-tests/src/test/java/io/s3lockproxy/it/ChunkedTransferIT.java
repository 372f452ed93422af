package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * PUTs of unknown length ({@code Transfer-Encoding: chunked}, no Content-Length, as java.net.http
 * sends a stream): the proxy relays them as the store takes them directly, and a body that fails
 * its signed hash never completes upstream.
 */
class ChunkedTransferIT extends ProxyTestEnvironment {

    private URI objectUri(URI base, String key) {
        return base.resolve("/" + bucket + "/" + key);
    }

    @Test
    void aPresignedPutOfUnknownLengthIsAnsweredAsTheStoreAnswersItDirectly() {
        byte[] body = Payloads.random(300_000);
        PresignedPutObjectRequest put;
        try (S3Presigner presigner = presigner()) {
            put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(o -> o.bucket(bucket).key("streamed/presigned")));
        }
        HandSigner.Signed directly = HandSigner.minimalSigned("PUT", objectUri(backend.endpoint(), "streamed/direct"),
                body, backend.accessKey(), backend.secretKey(), List.of("host", "x-amz-content-sha256", "x-amz-date"));

        RawHttp.Response viaStore = RawHttp.sendChunked("PUT", directly.uri(), directly.headers(), body);
        RawHttp.Response viaProxy = RawHttp.sendChunked("PUT", URI.create(put.url().toString()), put.signedHeaders(), body);

        assertThat(viaProxy.status()).as(viaProxy.bodyText()).isEqualTo(viaStore.status());
        if (viaStore.status() == 200) {
            assertThat(readDirectly("streamed/presigned")).isEqualTo(body);
        } else {
            assertNotUpstream("streamed/presigned");
        }
    }

    @Test
    void aHeaderSignedPutOfUnknownLengthIsStoredWhole() {
        byte[] body = Payloads.random(1_100_000);
        HandSigner.Signed viaStoreSigned = HandSigner.minimalSigned("PUT", objectUri(backend.endpoint(), "streamed/d"),
                body, backend.accessKey(), backend.secretKey(), List.of("host", "x-amz-content-sha256", "x-amz-date"));
        RawHttp.Response viaStore = RawHttp.sendChunked("PUT", viaStoreSigned.uri(), viaStoreSigned.headers(), body);
        HandSigner.Signed signed = HandSigner.minimalSigned("PUT", objectUri(endpoint, "streamed/signed"), body,
                accessKey, secretKey, List.of("host", "x-amz-content-sha256", "x-amz-date"));

        RawHttp.Response viaProxy = RawHttp.sendChunked("PUT", signed.uri(), signed.headers(), body);

        if (backend.kind().startsWith("s3proxy")) {
            assertThat(viaStore.status()).as("S3Proxy stores a chunked PUT: " + viaStore.bodyText()).isEqualTo(200);
        }
        assertThat(viaProxy.status()).as(viaProxy.bodyText()).isEqualTo(viaStore.status());
        if (viaStore.status() == 200) {
            assertThat(readDirectly("streamed/signed")).isEqualTo(body);
            assertThat(viaProxy.header("ETag")).isEqualTo(viaStore.header("ETag"));
        }
    }

    @Test
    void aPutOfUnknownLengthWhoseBodyFailsItsSignedHashLeavesTheObjectAsItWas() {
        byte[] before = Payloads.random(10_000);
        direct.putObject(b -> b.bucket(bucket).key("streamed/kept"), RequestBody.fromBytes(before));
        byte[] signedFor = Payloads.random(700_000);
        byte[] sent = signedFor.clone();
        sent[sent.length - 1] ^= 1;
        HandSigner.Signed signed = HandSigner.minimalSigned("PUT", objectUri(endpoint, "streamed/kept"), signedFor,
                accessKey, secretKey, List.of("host", "x-amz-content-sha256", "x-amz-date"));

        RawHttp.Response response = RawHttp.sendChunked("PUT", signed.uri(), signed.headers(), sent);

        assertThat(response.status()).as(response.bodyText()).isBetween(400, 599);
        assertThat(readDirectly("streamed/kept")).isEqualTo(before);
    }
}
