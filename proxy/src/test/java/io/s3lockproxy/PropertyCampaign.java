package io.s3lockproxy;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.s3lockproxy.s3.S3ErrorCode;
import io.s3lockproxy.s3.S3Exception;
import java.util.Arrays;
import java.util.List;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Shared settings and generators of the property-based tests (QuickTheories). Each run draws a
 * new seed; a failure prints the seed and the shrunk falsifying example, and
 * {@code -DQT_SEED=<seed>} replays it.
 */
public final class PropertyCampaign {
    /** Examples per property for cheap, pure functions. */
    public static final int MANY = 2_000;
    /** Examples per property that hashes or decodes kilobytes per example. */
    public static final int SOME = 300;

    private PropertyCampaign() {
    }

    /** Returns a theory that tries {@code examples} examples and shrinks a failure for a bounded time. */
    public static QuickTheory qt(int examples) {
        return QuickTheory.qt().withExamples(examples).withShrinkCycles(2_000);
    }

    /** Strings of valid Unicode code points (no lone surrogates), ASCII-heavy, of {@code min..max} code points. */
    public static Gen<String> unicode(int min, int max) {
        Gen<Integer> codePoint = Generate.frequency(List.of(
                org.quicktheories.api.Pair.of(6, integers().between(0x20, 0x7e)),
                org.quicktheories.api.Pair.of(1, integers().between(0, 0x1f)),
                org.quicktheories.api.Pair.of(2, integers().between(0x80, 0xd7ff)),
                org.quicktheories.api.Pair.of(1, integers().between(0xe000, 0x10ffff))));
        return lists().of(codePoint).ofSizeBetween(min, max).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    /** Strings drawn from {@code alphabet}, of {@code min..max} characters. */
    public static Gen<String> from(String alphabet, int min, int max) {
        Gen<Integer> index = integers().between(0, alphabet.length() - 1);
        return lists().of(index).ofSizeBetween(min, max).map(ix -> {
            StringBuilder b = new StringBuilder(ix.size());
            ix.forEach(i -> b.append(alphabet.charAt(i)));
            return b.toString();
        });
    }

    /** Byte arrays of {@code min..max} bytes. */
    public static Gen<byte[]> bytes(int min, int max) {
        return Generate.byteArrays(integers().between(min, max), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    /**
     * Runs {@code action}; an S3Exception is an allowed outcome when its code is one of
     * {@code allowed} (any code when none is given). Anything else thrown fails the property.
     *
     * @return the S3Exception, or null when {@code action} completed
     */
    public static S3Exception onlyS3Errors(Runnable action, S3ErrorCode... allowed) {
        try {
            action.run();
            return null;
        } catch (S3Exception e) {
            if (allowed.length > 0 && !Arrays.asList(allowed).contains(e.code())) {
                throw new AssertionError("unexpected S3 error " + e.code() + ": " + e.getMessage(), e);
            }
            return e;
        }
    }
}
