package io.s3lockproxy.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.s3lockproxy.auth.AwsChunkedDecoder;
import io.s3lockproxy.auth.ChecksumAlgorithm;
import io.s3lockproxy.auth.PayloadHashVerifier;
import io.s3lockproxy.auth.PayloadMode;
import io.s3lockproxy.auth.RunningChecksum;
import io.s3lockproxy.sigv4.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Body checks on 1 MiB fed in 64 KiB pieces, as the server receives them: what they cost per MiB. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BodyVerificationBenchmark {
    private static final int PIECE = 64 * 1024;

    @Param({"1048576"})
    public int size;

    private byte[] payload;
    private String payloadSha256;
    private ByteBuf unsignedTrailerBody;

    @Setup
    public void setUp() {
        payload = new byte[size];
        new Random(7).nextBytes(payload);
        payloadSha256 = Hashes.hex(Hashes.sha256().digest(payload));
        RunningChecksum crc = ChecksumAlgorithm.CRC32.newChecksum();
        crc.update(Unpooled.wrappedBuffer(payload));
        StringBuilder framing = new StringBuilder();
        ByteBuf body = Unpooled.buffer(size + 4096);
        for (int off = 0; off < size; off += PIECE) {
            int n = Math.min(PIECE, size - off);
            body.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(payload, off, n);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        framing.append("0\r\nx-amz-checksum-crc32:").append(crc.base64()).append("\r\n\r\n");
        body.writeBytes(framing.toString().getBytes(StandardCharsets.US_ASCII));
        unsignedTrailerBody = body;
    }

    @Benchmark
    public long sha256PayloadHash() {
        PayloadHashVerifier verifier = PayloadHashVerifier.sha256(payloadSha256);
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        long n = feedInPieces(in, verifier::feed);
        verifier.finish();
        return n;
    }

    @Benchmark
    public long unsignedTrailerCrc32() {
        AwsChunkedDecoder decoder = new AwsChunkedDecoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, null, size,
                ChecksumAlgorithm.CRC32, AwsChunkedDecoder.MIN_CHUNK_SIZE);
        long n = feedInPieces(unsignedTrailerBody.duplicate(), decoder::feed);
        decoder.finish();
        return n;
    }

    private static long feedInPieces(ByteBuf in, java.util.function.Function<ByteBuf, ByteBuf> feed) {
        long decoded = 0;
        while (in.isReadable()) {
            ByteBuf piece = in.readSlice(Math.min(PIECE, in.readableBytes()));
            ByteBuf out = feed.apply(piece);
            decoded += out.readableBytes();
            out.release();
        }
        return decoded;
    }
}
