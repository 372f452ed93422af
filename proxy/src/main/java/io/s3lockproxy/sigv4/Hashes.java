package io.s3lockproxy.sigv4;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SHA-256 and HMAC-SHA256 helpers for SigV4, with lower-case hex output. */
public final class Hashes {
    /** SHA-256 of the empty string, the payload hash of a request without a body. */
    public static final String EMPTY_SHA256 =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final String HMAC_SHA256 = "HmacSHA256";
    /** Looking a digest or MAC up by name costs more than using it on a request's few hundred bytes. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashes::sha256);
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(Hashes::newHmacSha256);

    private Hashes() {
    }

    /** Returns a new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Returns the lower-case hex SHA-256 of the UTF-8 bytes of {@code s}. */
    public static String sha256Hex(String s) {
        return hex(SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Returns HMAC-SHA256 of the UTF-8 bytes of {@code data} under {@code key}. */
    public static byte[] hmacSha256(byte[] key, String data) {
        return keyed(HMAC.get(), key).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns a new HMAC-SHA256 under {@code key}; {@link Mac#doFinal} leaves it keyed for the next message. */
    public static Mac hmacSha256(byte[] key) {
        return keyed(newHmacSha256(), key);
    }

    private static Mac keyed(Mac mac, byte[] key) {
        try {
            mac.init(new SecretKeySpec(key, HMAC_SHA256));
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an HMAC key", e);
        }
    }

    private static Mac newHmacSha256() {
        try {
            return Mac.getInstance(HMAC_SHA256);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Returns the lower-case hex form of {@code bytes}. */
    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /** Compares two strings in time independent of where they first differ. */
    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
