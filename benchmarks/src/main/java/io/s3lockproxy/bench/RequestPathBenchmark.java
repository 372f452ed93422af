package io.s3lockproxy.bench;

import io.netty.handler.codec.http.HttpRequest;
import io.s3lockproxy.auth.CredentialStore;
import io.s3lockproxy.auth.SigV4Verifier;
import io.s3lockproxy.auth.VerifiedRequest;
import io.s3lockproxy.config.PayloadForwarding;
import io.s3lockproxy.config.UpstreamConfig;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.BodyPlan;
import io.s3lockproxy.upstream.Resigner;
import io.s3lockproxy.upstream.UpstreamRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The per-request CPU cost the proxy adds to every request: verifying the client's signature and signing anew. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestPathBenchmark {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private SigV4Verifier verifier;
    private Resigner resigner;
    private S3Request request;
    private S3Request presignedGet;
    private UpstreamRequest upstreamRequest;

    @Setup
    public void setUp() {
        verifier = new SigV4Verifier(new CredentialStore(Map.of(SignedRequests.ACCESS_KEY, SignedRequests.SECRET)),
                Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(15), false);
        request = SignedRequests.putObject(NOW, 4096);
        presignedGet = SignedRequests.presignedGet(NOW);
        resigner = new Resigner(new UpstreamConfig(URI.create("http://127.0.0.1:9000"), "us-east-1",
                "upstream-key", "upstream-secret", true, PayloadForwarding.AUTO, Duration.ofSeconds(5),
                Duration.ofSeconds(60)));
        upstreamRequest = new UpstreamRequest("PUT", request.bucket(), request.key(), List.of(),
                new io.netty.handler.codec.http.DefaultHttpHeaders().add("Content-Type", "application/json"),
                new BodyPlan(BodyPlan.Kind.UNSIGNED, 4096, null));
    }

    @Benchmark
    public VerifiedRequest verifyClientSignature() {
        return verifier.verify(request);
    }

    @Benchmark
    public VerifiedRequest verifyPresignedGet() {
        return verifier.verify(presignedGet);
    }

    @Benchmark
    public HttpRequest signForUpstream() {
        return resigner.sign(upstreamRequest);
    }
}
