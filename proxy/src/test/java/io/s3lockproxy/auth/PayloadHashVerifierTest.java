package io.s3lockproxy.auth;

import static io.s3lockproxy.auth.BodyFeeder.bytewise;
import static io.s3lockproxy.auth.BodyFeeder.decode;
import static io.s3lockproxy.auth.BodyFeeder.failure;
import static io.s3lockproxy.auth.BodyFeeder.random;
import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.sigv4.Hashes;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PayloadHashVerifierTest {
    private static byte[] body(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    @Test
    void aMatchingHashPassesTheBodyThrough() {
        byte[] data = body(100_000);
        String hex = Hashes.hex(Hashes.sha256().digest(data));
        PayloadHashVerifier v = PayloadHashVerifier.sha256(hex.toUpperCase());
        assertThat(decode(v, data, random(1, 7000))).isEqualTo(data);
        assertThat(v.decodedLength()).isEqualTo(100_000);
        assertThat(v.trailers()).isEmpty();
    }

    @Test
    void theEmptyBodyMatchesTheEmptyHash() {
        assertThat(decode(PayloadHashVerifier.sha256(Hashes.EMPTY_SHA256), new byte[0], bytewise())).isEmpty();
    }

    @Test
    void aChangedByteFailsAtFinish() {
        byte[] data = body(5000);
        String hex = Hashes.hex(Hashes.sha256().digest(data));
        data[4999] ^= 1;
        PayloadHashVerifier v = PayloadHashVerifier.sha256(hex);
        assertThat(failure(v, data, random(2, 100)).code()).isEqualTo(S3ErrorCode.X_AMZ_CONTENT_SHA256_MISMATCH);
        assertThat(failure(v, new byte[0], bytewise()).code()).isEqualTo(S3ErrorCode.X_AMZ_CONTENT_SHA256_MISMATCH);
    }

    @Test
    void unsignedPayloadIsNotChecked() {
        byte[] data = body(3000);
        PayloadHashVerifier v = PayloadHashVerifier.unsigned();
        assertThat(decode(v, data, random(3, 500))).isEqualTo(data);
        assertThat(v.decodedLength()).isEqualTo(3000);
    }
}
