package io.s3lockproxy.sigv4;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;

/** Derives the SigV4 signing key and signs strings with it; thread-safe. */
public final class SigningKey {
    /** One MAC per thread, keyed once: signing is then only hashing the string. */
    private final ThreadLocal<Mac> mac;

    private SigningKey(byte[] key) {
        this.mac = ThreadLocal.withInitial(() -> Hashes.hmacSha256(key));
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
        return Hashes.hex(mac.get().doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "SigningKey[redacted]";
    }
}
