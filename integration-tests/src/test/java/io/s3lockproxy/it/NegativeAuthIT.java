package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Requests the proxy must refuse. Each case checks the S3 error (status, code, XML shape, request
 * id header) and that nothing was written upstream (direct HEAD on the backend: 404).
 */
class NegativeAuthIT extends ProxyTestEnvironment {

    private URI objectUri(String key) {
        return URI.create(endpoint + "/" + bucket + "/" + key);
    }

    private static Clock now() {
        return Clock.systemUTC();
    }

    @Test
    void positiveControlSdkSignerIsAccepted() {
        byte[] body = Payloads.random(1000);
        RawHttp.Response ok = HandSigner.sdkSignedPut(objectUri("control"), body, accessKey, secretKey, now(), false).send();
        assertThat(ok.status()).as(ok.bodyText()).isEqualTo(200);
        assertThat(readDirectly("control")).isEqualTo(body);
    }

    @Test
    void wrongSecret() {
        var response = HandSigner.sdkSignedPut(objectUri("wrong-secret"), Payloads.random(100), accessKey,
                secretKey + "x", now(), false).send();
        S3ErrorAssert.assertError(response, 403, "SignatureDoesNotMatch");
        assertNotUpstream("wrong-secret");
    }

    @Test
    void unknownAccessKey() {
        var response = HandSigner.sdkSignedPut(objectUri("unknown-key"), Payloads.random(100), "NOSUCHKEY0000000",
                secretKey, now(), false).send();
        S3ErrorAssert.assertError(response, 403, "InvalidAccessKeyId");
        assertNotUpstream("unknown-key");
    }

    @Test
    void clockSkewedByTwentyMinutes() {
        Clock skewed = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20));
        var response = HandSigner.sdkSignedPut(objectUri("skewed"), Payloads.random(100), accessKey, secretKey,
                skewed, false).send();
        S3ErrorAssert.assertError(response, 403, "RequestTimeTooSkewed");
        assertNotUpstream("skewed");
    }

    @Test
    void expiredPresignedPut() throws InterruptedException {
        URI url;
        try (S3Presigner presigner = presigner()) {
            url = URI.create(presigner.presignPutObject(p -> p.signatureDuration(Duration.ofSeconds(1))
                    .putObjectRequest(o -> o.bucket(bucket).key("expired"))).url().toString());
        }
        Thread.sleep(2_100);
        S3ErrorAssert.assertError(RawHttp.put(url, java.util.Map.of(), Payloads.random(100)), 403, "AccessDenied");
        assertNotUpstream("expired");
    }

    @Test
    void bodyDoesNotMatchSignedPayloadHash() {
        byte[] signedBody = Payloads.random(4096);
        HandSigner.Signed signed = HandSigner.sdkSignedPut(objectUri("hash-mismatch"), signedBody, accessKey,
                secretKey, now(), false);
        byte[] other = signedBody.clone();
        other[2048] ^= 0x01;
        var response = new HandSigner.Signed(signed.method(), signed.uri(), signed.headers(), other).send();
        assertRefusedBody(response);
        assertNotUpstream("hash-mismatch");
    }

    @ParameterizedTest(name = "tampered byte in the {0} chunk")
    @ValueSource(strings = {"first", "middle", "last"})
    void tamperedAwsChunkedBody(String which) {
        // 300 KiB: the SDK signer cuts 128 KiB chunks, so there are three data chunks
        byte[] body = Payloads.random(300 * 1024);
        String key = "chunked-" + which;
        HandSigner.Signed signed = HandSigner.sdkSignedPut(objectUri(key), body, accessKey, secretKey, now(), true);
        List<int[]> chunks = HandSigner.chunkDataRanges(signed.body());
        assertThat(chunks).hasSize(3);
        int[] chunk = switch (which) {
            case "first" -> chunks.get(0);
            case "middle" -> chunks.get(1);
            default -> chunks.get(2);
        };
        byte[] wire = signed.body().clone();
        wire[(chunk[0] + chunk[1]) / 2] ^= 0x20;

        var response = new HandSigner.Signed(signed.method(), signed.uri(), signed.headers(), wire).send();
        assertRefusedBody(response);
        assertNotUpstream(key);
    }

    @Test
    void untamperedAwsChunkedBodyIsAccepted() {
        byte[] body = Payloads.random(300 * 1024);
        var response = HandSigner.sdkSignedPut(objectUri("chunked-ok"), body, accessKey, secretKey, now(), true).send();
        assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
        assertThat(readDirectly("chunked-ok")).isEqualTo(body);
    }

    @Test
    void signatureMustCoverHost() {
        byte[] body = Payloads.random(100);
        var control = HandSigner.minimalSigned("PUT", objectUri("host-signed"), body, accessKey, secretKey,
                List.of("host", "x-amz-content-sha256", "x-amz-date")).send();
        assertThat(control.status()).as("positive control: %s", control.bodyText()).isEqualTo(200);

        var response = HandSigner.minimalSigned("PUT", objectUri("host-unsigned"), body, accessKey, secretKey,
                List.of("x-amz-content-sha256", "x-amz-date")).send();
        assertThat(response.status()).isEqualTo(403);
        S3ErrorAssert.assertError(response, 403, "AccessDenied", "SignatureDoesNotMatch", "AuthorizationHeaderMalformed");
        assertNotUpstream("host-unsigned");
    }

    private static void assertRefusedBody(RawHttp.Response response) {
        int status = response.status();
        assertThat(status).as("status; body: %s", response.bodyText()).isIn(400, 403);
        S3ErrorAssert.assertError(response, status, "XAmzContentSHA256Mismatch", "SignatureDoesNotMatch",
                "BadDigest", "IncompleteBody");
    }

}
