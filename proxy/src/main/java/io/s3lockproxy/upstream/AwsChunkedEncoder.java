package io.s3lockproxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames payload bytes as unsigned aws-chunked ({@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}) for
 * the upstream, in chunks of a fixed size:
 *
 * <pre>
 *   hex(C) CRLF data CRLF            (every full chunk)
 *   hex(r) CRLF data CRLF            (the rest, when not empty)
 *   0 CRLF [trailer-name:value CRLF] CRLF
 * </pre>
 *
 * <p>It holds at most one chunk of payload, as retained slices of what it was given. S3 rejects
 * chunks under 8 KiB except the last, so give the upstream a chunk size of at least 8192.
 * One instance per request, used from one thread.
 */
public final class AwsChunkedEncoder {
    private static final byte[] CRLF = {'\r', '\n'};

    private final int chunkSize;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private int pendingBytes;
    private boolean finished;

    /** Creates an encoder that emits chunks of {@code chunkSize} payload bytes. */
    public AwsChunkedEncoder(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
        }
        this.chunkSize = chunkSize;
    }

    /**
     * Returns the framed bytes of every chunk that {@code decoded} completes, possibly empty; the
     * caller keeps ownership of {@code decoded} and releases the result.
     */
    public ByteBuf encode(ByteBuf decoded) {
        if (finished) {
            throw new IllegalStateException("encode after finish");
        }
        if (decoded.isReadable()) {
            pending.add(decoded.retainedSlice());
            pendingBytes += decoded.readableBytes();
        }
        List<ByteBuf> out = new ArrayList<>();
        while (pendingBytes >= chunkSize) {
            emitChunk(chunkSize, out);
        }
        return compose(out);
    }

    /**
     * Returns the remaining payload as a last chunk, then the final empty chunk and the trailer;
     * {@code trailerName} null means no trailer. The caller releases the result.
     */
    public ByteBuf finish(String trailerName, String trailerValue) {
        if (finished) {
            throw new IllegalStateException("finish called twice");
        }
        finished = true;
        List<ByteBuf> out = new ArrayList<>();
        if (pendingBytes > 0) {
            emitChunk(pendingBytes, out);
        }
        StringBuilder end = new StringBuilder("0\r\n");
        if (trailerName != null) {
            end.append(trailerName).append(':').append(trailerValue).append("\r\n");
        }
        end.append("\r\n");
        out.add(Unpooled.wrappedBuffer(end.toString().getBytes(StandardCharsets.US_ASCII)));
        return compose(out);
    }

    /** Releases the payload still held, for a request that is abandoned. */
    public void discard() {
        pending.forEach(ByteBuf::release);
        pending.clear();
        pendingBytes = 0;
        finished = true;
    }

    /**
     * Returns the exact number of bytes {@link #encode} and {@link #finish} produce for a payload of
     * {@code decodedLength} bytes, so that a Content-Length can be sent before the body.
     *
     * @param trailerName        the trailer name, or null for none
     * @param trailerValueLength the length in bytes of the trailer value (ignored without a name)
     */
    public static long encodedLength(long decodedLength, int chunkSize, String trailerName, int trailerValueLength) {
        long full = decodedLength / chunkSize;
        long rest = decodedLength % chunkSize;
        long length = full * framedChunkLength(chunkSize);
        if (rest > 0) {
            length += framedChunkLength(rest);
        }
        length += 3; // "0\r\n"
        if (trailerName != null) {
            length += trailerName.getBytes(StandardCharsets.US_ASCII).length + 1 + trailerValueLength + 2;
        }
        return length + 2;
    }

    private static long framedChunkLength(long size) {
        return Long.toHexString(size).length() + 2 + size + 2;
    }

    private void emitChunk(int size, List<ByteBuf> out) {
        out.add(Unpooled.wrappedBuffer((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        int needed = size;
        while (needed > 0) {
            ByteBuf head = pending.peek();
            int n = head.readableBytes();
            if (n <= needed) {
                out.add(pending.poll());
                needed -= n;
            } else {
                out.add(head.readRetainedSlice(needed));
                needed = 0;
            }
        }
        pendingBytes -= size;
        out.add(Unpooled.wrappedBuffer(CRLF.clone()));
    }

    private static ByteBuf compose(List<ByteBuf> out) {
        if (out.isEmpty()) {
            return Unpooled.EMPTY_BUFFER;
        }
        return out.size() == 1 ? out.get(0) : Unpooled.wrappedBuffer(out.size(), out.toArray(new ByteBuf[0]));
    }
}
