package io.s3lockproxy.sigv4;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Strings to sign and signatures of aws-chunked chunks and trailers
 * ({@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]}).
 *
 * <p>Each signature chains on the previous one: the seed is the request's header signature, every
 * chunk (the final empty one included) signs with the signature before it, and the trailer signs
 * with the final chunk's signature.
 */
public final class ChunkSignatures {
    private static final String CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
    private static final String TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";

    private ChunkSignatures() {
    }

    /** Returns the string to sign for a chunk whose data has the lower-case hex SHA-256 {@code chunkSha256Hex}. */
    public static String chunkStringToSign(String timestamp, String scope, String previousSignature,
            String chunkSha256Hex) {
        return CHUNK_ALGORITHM + '\n' + timestamp + '\n' + scope + '\n' + previousSignature + '\n'
                + Hashes.EMPTY_SHA256 + '\n' + chunkSha256Hex;
    }

    /** Returns the signature of a chunk whose data has the lower-case hex SHA-256 {@code chunkSha256Hex}. */
    public static String chunkSignature(SigningKey key, String timestamp, String scope, String previousSignature,
            String chunkSha256Hex) {
        return key.sign(chunkStringToSign(timestamp, scope, previousSignature, chunkSha256Hex));
    }

    /**
     * Returns the trailer bytes that are hashed for the trailer signature: one {@code name:value\n}
     * line per trailer (LF, not CRLF), names lower-cased and sorted, values trimmed. The
     * {@code x-amz-trailer-signature} line itself is not part of it.
     */
    public static String canonicalTrailers(Map<String, String> trailers) {
        TreeMap<String, String> sorted = new TreeMap<>();
        trailers.forEach((name, value) -> sorted.put(name.toLowerCase(Locale.ROOT), value.strip()));
        StringBuilder out = new StringBuilder();
        sorted.forEach((name, value) -> out.append(name).append(':').append(value).append('\n'));
        return out.toString();
    }

    /** Returns the string to sign for trailers whose canonical form has the hex SHA-256 {@code trailerSha256Hex}. */
    public static String trailerStringToSign(String timestamp, String scope, String previousSignature,
            String trailerSha256Hex) {
        return TRAILER_ALGORITHM + '\n' + timestamp + '\n' + scope + '\n' + previousSignature + '\n'
                + trailerSha256Hex;
    }

    /** Returns the {@code x-amz-trailer-signature} value for {@code trailers}. */
    public static String trailerSignature(SigningKey key, String timestamp, String scope, String previousSignature,
            Map<String, String> trailers) {
        String hash = Hashes.sha256Hex(canonicalTrailers(trailers));
        return key.sign(trailerStringToSign(timestamp, scope, previousSignature, hash));
    }
}
