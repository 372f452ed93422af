package io.s3lockproxy.sigv4;

import java.nio.charset.StandardCharsets;

/** Derives the SigV4 signing key and signs strings with it. */
public final class SigningKey {
    private final byte[] key;

    private SigningKey(byte[] key) {
        this.key = key;
    }

    /** Returns the key for {@code secret} and the scope {@code date/region/service/aws4_request}. */
    public static SigningKey derive(String secret, String date, String region, String service) {
        byte[] k = Hashes.hmacSha256(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = Hashes.hmacSha256(k, region);
        k = Hashes.hmacSha256(k, service);
        k = Hashes.hmacSha256(k, "aws4_request");
        return new SigningKey(k);
    }

    /** Returns the lower-case hex signature of {@code stringToSign}. */
    public String sign(String stringToSign) {
        return Hashes.hex(Hashes.hmacSha256(key, stringToSign));
    }

    @Override
    public String toString() {
        return "SigningKey[redacted]";
    }
}
