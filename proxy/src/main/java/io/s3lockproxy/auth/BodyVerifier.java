package io.s3lockproxy.auth;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * Checks a request body while it streams and yields the payload bytes in it.
 *
 * <p>One instance per request, used from one thread. The caller forwards what {@link #feed}
 * returns, but must hold back the end of the body until {@link #finish} has returned: a check
 * can only fail there for the last bytes, and the upstream must never see a complete body that
 * failed a check.
 */
public interface BodyVerifier {

    /**
     * Consumes the next raw bytes of the body (the caller keeps ownership of {@code raw}) and
     * returns the decoded payload bytes found in them, possibly empty; the caller releases the result.
     *
     * @throws io.s3lockproxy.s3.S3Exception when the bytes fail a check or break the framing
     */
    ByteBuf feed(ByteBuf raw);

    /**
     * Ends the body.
     *
     * @throws io.s3lockproxy.s3.S3Exception when the body is incomplete or its final check fails
     */
    void finish();

    /** Returns the trailing headers received (lower-case names), empty when there were none. */
    Map<String, String> trailers();

    /** Returns the number of decoded payload bytes seen so far. */
    long decodedLength();
}
