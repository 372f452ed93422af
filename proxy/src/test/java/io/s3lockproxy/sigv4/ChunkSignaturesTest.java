package io.s3lockproxy.sigv4;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks chunk and trailer signatures against the published AWS example ("Signature Calculations
 * for the Authorization Header: Transferring Payload in Multiple Chunks": 65 KiB of 'a' in a
 * 64 KiB chunk, a 1 KiB chunk and the final empty chunk) and the trailer vector of aws-c-auth
 * (trailers first:1st, second:2nd, third:3rd chained on the final chunk's signature).
 */
class ChunkSignaturesTest {
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String TIMESTAMP = "20130524T000000Z";
    static final String SCOPE = "20130524/us-east-1/s3/aws4_request";
    static final String SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    static final String CHUNK_1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    static final String CHUNK_2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    static final String CHUNK_FINAL = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
    static final String TRAILER = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c";

    private final SigningKey key = SigningKey.derive(SECRET, "20130524", "us-east-1", "s3");

    private static String sha256Of(int count) {
        byte[] data = new byte[count];
        Arrays.fill(data, (byte) 'a');
        return Hashes.hex(Hashes.sha256().digest(data));
    }

    @Test
    void firstChunkStringToSignHasTheDocumentedShape() {
        assertThat(ChunkSignatures.chunkStringToSign(TIMESTAMP, SCOPE, SEED, sha256Of(65536)))
                .isEqualTo("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                        + SEED + "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                        + "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a");
    }

    @Test
    void chunkSignaturesChainAsInTheAwsExample() {
        String first = ChunkSignatures.chunkSignature(key, TIMESTAMP, SCOPE, SEED, sha256Of(65536));
        String second = ChunkSignatures.chunkSignature(key, TIMESTAMP, SCOPE, first, sha256Of(1024));
        String last = ChunkSignatures.chunkSignature(key, TIMESTAMP, SCOPE, second, Hashes.EMPTY_SHA256);
        assertThat(first).isEqualTo(CHUNK_1);
        assertThat(second).isEqualTo(CHUNK_2);
        assertThat(last).isEqualTo(CHUNK_FINAL);
    }

    @Test
    void trailerSignatureMatchesTheAwsCrtVector() {
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put("second", "2nd");
        trailers.put("First", " 1st ");
        trailers.put("third", "3rd");
        assertThat(ChunkSignatures.canonicalTrailers(trailers)).isEqualTo("first:1st\nsecond:2nd\nthird:3rd\n");
        assertThat(ChunkSignatures.trailerSignature(key, TIMESTAMP, SCOPE, CHUNK_FINAL, trailers)).isEqualTo(TRAILER);
    }

    @Test
    void trailerStringToSignHashesTheCanonicalTrailers() {
        String hash = Hashes.hex(Hashes.sha256().digest(
                "x-amz-checksum-crc32:AAAAAA==\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(ChunkSignatures.trailerStringToSign(TIMESTAMP, SCOPE, CHUNK_FINAL, hash))
                .isEqualTo("AWS4-HMAC-SHA256-TRAILER\n" + TIMESTAMP + "\n" + SCOPE + "\n" + CHUNK_FINAL + "\n" + hash);
        assertThat(ChunkSignatures.canonicalTrailers(Map.of("x-amz-checksum-crc32", "AAAAAA==")))
                .isEqualTo("x-amz-checksum-crc32:AAAAAA==\n");
    }
}
