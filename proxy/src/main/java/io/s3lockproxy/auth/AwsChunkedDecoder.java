package io.s3lockproxy.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.sigv4.ChunkSignatures;
import io.s3lockproxy.sigv4.Hashes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes an aws-chunked body incrementally and checks it: chunk signatures, the trailer
 * signature, the declared trailer checksum and {@code x-amz-decoded-content-length}.
 *
 * <pre>
 *   hex-size[;chunk-signature=64hex] CRLF data CRLF      (repeated)
 *   0[;chunk-signature=64hex] CRLF
 *   [name:value CRLF]...  [x-amz-trailer-signature:64hex CRLF]  CRLF
 * </pre>
 *
 * <p>Input may arrive split anywhere. Data is returned as retained slices of the input as soon as
 * it arrives, never buffered per chunk; a chunk's signature can only be checked once all its data
 * has passed, which is why callers hold back the end of the body until {@link #finish}.
 */
public final class AwsChunkedDecoder implements BodyVerifier {
    /** The smallest size S3 accepts for any chunk but the last data chunk. */
    public static final int MIN_CHUNK_SIZE = 8192;
    /** The longest chunk-size line accepted, extension included. */
    public static final int MAX_SIZE_LINE = 4096;
    /** The most trailer bytes accepted, line ends included. */
    public static final int MAX_TRAILER = 16384;

    private static final String TRAILER_SIGNATURE = "x-amz-trailer-signature";
    private static final String SIGNATURE_EXTENSION = "chunk-signature=";
    private static final String MALFORMED = "The request body terminated unexpectedly";

    private enum State { SIZE_LINE, DATA, DATA_CR, DATA_LF, TRAILER_LINE, DONE }

    private final PayloadMode mode;
    private final StreamingContext streaming;
    private final long declaredLength;
    private final ChecksumAlgorithm trailerChecksum;
    private final int minChunkSize;
    private final RunningChecksum checksum;
    private final MessageDigest chunkDigest;
    private final Map<String, String> trailers = new LinkedHashMap<>();

    private State state = State.SIZE_LINE;
    private byte[] line = new byte[128];
    private int lineLength;
    private int trailerBytes;
    private long chunkRemaining;
    private long previousChunkSize = -1;
    private int chunkCount;
    private String previousSignature;
    private String chunkSignature;
    private String trailerSignature;
    private long decoded;
    private S3Exception failure;

    /**
     * Creates a decoder.
     *
     * @param mode                 an aws-chunked payload mode
     * @param streaming            the signing context; required when {@code mode} has signed chunks
     * @param decodedContentLength the value of {@code x-amz-decoded-content-length}
     * @param trailerChecksum      the checksum named by {@code x-amz-trailer}, or null
     * @param minChunkSize         the smallest size allowed for a data chunk that is not the last one
     */
    public AwsChunkedDecoder(PayloadMode mode, StreamingContext streaming, long decodedContentLength,
            ChecksumAlgorithm trailerChecksum, int minChunkSize) {
        if (!mode.awsChunked()) {
            throw new IllegalArgumentException(mode + " is not aws-chunked");
        }
        if (mode.signedChunks() && streaming == null) {
            throw new IllegalArgumentException(mode + " needs a streaming context");
        }
        if (decodedContentLength < 0 || minChunkSize < 1) {
            throw new IllegalArgumentException("negative length or chunk size");
        }
        this.mode = mode;
        this.streaming = streaming;
        this.declaredLength = decodedContentLength;
        this.trailerChecksum = mode.trailer() ? trailerChecksum : null;
        this.minChunkSize = minChunkSize;
        this.checksum = this.trailerChecksum == null ? null : this.trailerChecksum.newChecksum();
        this.chunkDigest = mode.signedChunks() ? Hashes.sha256() : null;
        this.previousSignature = mode.signedChunks() ? streaming.seedSignature() : null;
    }

    @Override
    public ByteBuf feed(ByteBuf raw) {
        if (failure != null) {
            throw failure;
        }
        List<ByteBuf> out = new ArrayList<>(2);
        try {
            int i = raw.readerIndex();
            int end = raw.writerIndex();
            while (i < end) {
                switch (state) {
                    case SIZE_LINE, TRAILER_LINE -> i = readLine(raw, i, end);
                    case DATA -> i = readData(raw, i, end, out);
                    case DATA_CR -> {
                        expect(raw.getByte(i++), '\r');
                        state = State.DATA_LF;
                    }
                    case DATA_LF -> {
                        expect(raw.getByte(i++), '\n');
                        state = State.SIZE_LINE;
                    }
                    case DONE -> throw incomplete("Unexpected data after the end of the aws-chunked body");
                }
            }
        } catch (S3Exception e) {
            out.forEach(ByteBuf::release);
            failure = e;
            throw e;
        }
        if (out.isEmpty()) {
            return Unpooled.EMPTY_BUFFER;
        }
        return out.size() == 1 ? out.get(0) : Unpooled.wrappedBuffer(out.size(), out.toArray(new ByteBuf[0]));
    }

    @Override
    public void finish() {
        if (failure == null && state != State.DONE) {
            failure = incomplete(MALFORMED);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Returns the trailers received, without {@code x-amz-trailer-signature}. */
    @Override
    public Map<String, String> trailers() {
        return Collections.unmodifiableMap(trailers);
    }

    @Override
    public long decodedLength() {
        return decoded;
    }

    private int readData(ByteBuf raw, int i, int end, List<ByteBuf> out) {
        int n = (int) Math.min(chunkRemaining, end - i);
        if (chunkDigest != null) {
            ByteBufs.forEachNioBuffer(raw, i, n, chunkDigest::update);
        }
        if (checksum != null) {
            checksum.update(raw, i, n);
        }
        out.add(raw.retainedSlice(i, n));
        decoded += n;
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            if (chunkDigest != null) {
                checkChunkSignature(Hashes.hex(chunkDigest.digest()));
            }
            state = State.DATA_CR;
        }
        return i + n;
    }

    /** Appends bytes to the current line; returns the index after what it consumed. */
    private int readLine(ByteBuf raw, int i, int end) {
        int lf = raw.indexOf(i, end, (byte) '\n');
        int stop = lf < 0 ? end : lf;
        int n = stop - i;
        boolean sizeLine = state == State.SIZE_LINE;
        int limit = sizeLine ? MAX_SIZE_LINE : MAX_TRAILER - trailerBytes;
        if (lineLength + n > limit + 1) {
            throw sizeLine ? incomplete("The chunk-size line is too long")
                    : new S3Exception(S3ErrorCode.MALFORMED_TRAILER_ERROR);
        }
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
        }
        raw.getBytes(i, line, lineLength, n);
        lineLength += n;
        if (lf < 0) {
            return end;
        }
        if (lineLength == 0 || line[lineLength - 1] != '\r') {
            throw incomplete(MALFORMED);
        }
        String text = new String(line, 0, lineLength - 1, StandardCharsets.ISO_8859_1);
        trailerBytes += sizeLine ? 0 : lineLength + 1;
        lineLength = 0;
        if (sizeLine) {
            onSizeLine(text);
        } else {
            onTrailerLine(text);
        }
        return lf + 1;
    }

    private void onSizeLine(String text) {
        int semi = text.indexOf(';');
        long size = parseHex(semi < 0 ? text : text.substring(0, semi));
        if (mode.signedChunks()) {
            if (semi < 0 || !text.startsWith(SIGNATURE_EXTENSION, semi + 1)) {
                throw incomplete(MALFORMED);
            }
            chunkSignature = text.substring(semi + 1 + SIGNATURE_EXTENSION.length());
            if (!isSignature(chunkSignature)) {
                throw incomplete(MALFORMED);
            }
        }
        if (size > 0) {
            if (previousChunkSize >= 0 && previousChunkSize < minChunkSize) {
                throw chunkTooSmall(chunkCount + 1, previousChunkSize);
            }
            if (size > declaredLength - decoded) {
                throw incomplete("The aws-chunked body is longer than x-amz-decoded-content-length");
            }
            chunkCount++;
            previousChunkSize = size;
            chunkRemaining = size;
            state = State.DATA;
            return;
        }
        if (chunkDigest != null) {
            checkChunkSignature(Hashes.EMPTY_SHA256);
        }
        if (decoded != declaredLength) {
            throw incomplete("The aws-chunked body is shorter than x-amz-decoded-content-length");
        }
        state = State.TRAILER_LINE;
    }

    private void onTrailerLine(String text) {
        if (text.isEmpty()) {
            checkTrailers();
            state = State.DONE;
            return;
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || trailerSignature != null) {
            throw new S3Exception(S3ErrorCode.MALFORMED_TRAILER_ERROR);
        }
        String name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = text.substring(colon + 1).strip();
        if (name.equals(TRAILER_SIGNATURE) && mode.signedChunks() && mode.trailer()) {
            if (!isSignature(value)) {
                throw incomplete(MALFORMED);
            }
            trailerSignature = value;
            return;
        }
        if (trailerChecksum == null || !name.equals(trailerChecksum.headerName()) || trailers.containsKey(name)) {
            throw new S3Exception(S3ErrorCode.MALFORMED_TRAILER_ERROR);
        }
        trailers.put(name, value);
    }

    private void checkTrailers() {
        if (mode.signedChunks() && mode.trailer()) {
            if (trailerSignature == null) {
                throw incomplete(MALFORMED);
            }
            String expected = ChunkSignatures.trailerSignature(streaming.signingKey(), streaming.timestamp(),
                    streaming.scope(), previousSignature, trailers);
            if (!Hashes.constantTimeEquals(expected, trailerSignature)) {
                throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
            }
        }
        if (trailerChecksum == null) {
            return;
        }
        String value = trailers.get(trailerChecksum.headerName());
        if (value == null) {
            throw incomplete(MALFORMED);
        }
        byte[] declared;
        try {
            declared = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            declared = null;
        }
        if (declared == null || declared.length != trailerChecksum.length()) {
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST,
                    "Value for " + trailerChecksum.headerName() + " trailing header is invalid.");
        }
        if (!MessageDigest.isEqual(declared, checksum.result())) {
            throw new S3Exception(S3ErrorCode.BAD_DIGEST,
                    "The " + trailerChecksum.displayName() + " you specified did not match the calculated checksum.");
        }
    }

    private void checkChunkSignature(String chunkSha256Hex) {
        String expected = ChunkSignatures.chunkSignature(streaming.signingKey(), streaming.timestamp(),
                streaming.scope(), previousSignature, chunkSha256Hex);
        if (!Hashes.constantTimeEquals(expected, chunkSignature)) {
            throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        }
        previousSignature = chunkSignature;
    }

    /** Returns the value of 1 to 15 hex digits. */
    private static long parseHex(String hex) {
        if (hex.isEmpty() || hex.length() > 15) {
            throw incomplete(MALFORMED);
        }
        long value = 0;
        for (int k = 0; k < hex.length(); k++) {
            int digit = Character.digit(hex.charAt(k), 16);
            if (digit < 0) {
                throw incomplete(MALFORMED);
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    private static boolean isSignature(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int k = 0; k < 64; k++) {
            char c = s.charAt(k);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static void expect(byte actual, char expected) {
        if (actual != expected) {
            throw incomplete(MALFORMED);
        }
    }

    private static S3Exception incomplete(String message) {
        return new S3Exception(S3ErrorCode.INCOMPLETE_BODY, message);
    }

    private static S3Exception chunkTooSmall(int chunk, long badSize) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("Chunk", Integer.toString(chunk));
        extra.put("BadChunkSize", Long.toString(badSize));
        return new S3Exception(S3ErrorCode.INVALID_CHUNK_SIZE_ERROR,
                S3ErrorCode.INVALID_CHUNK_SIZE_ERROR.defaultMessage(), extra);
    }
}
