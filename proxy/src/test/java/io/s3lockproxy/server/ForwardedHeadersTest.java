package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ForwardedHeadersTest {

    private static HttpHeaders clientHeaders() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Host", "proxy:8080");
        h.add("Connection", "keep-alive, X-Hop-Custom");
        h.add("Keep-Alive", "timeout=5");
        h.add("Proxy-Connection", "keep-alive");
        h.add("Proxy-Authorization", "Basic eA==");
        h.add("TE", "trailers");
        h.add("Trailer", "x-amz-checksum-crc32");
        h.add("Transfer-Encoding", "chunked");
        h.add("Upgrade", "h2c");
        h.add("Expect", "100-continue");
        h.add("User-Agent", "aws-sdk-java/2");
        h.add("amz-sdk-invocation-id", "abc");
        h.add("amz-sdk-request", "attempt=1; max=3");
        h.add("Authorization", "AWS4-HMAC-SHA256 Credential=client/...");
        h.add("X-Amz-Security-Token", "token");
        h.add("X-Amz-Date", "20250601T120000Z");
        h.add("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        h.add("Content-Length", "100");
        h.add("X-Amz-Decoded-Content-Length", "42");
        h.add("x-amz-trailer", "x-amz-checksum-crc32");
        h.add("X-Hop-Custom", "drop me");
        h.add("Content-Type", "text/plain");
        h.add("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
        h.add("x-amz-checksum-crc32", "AAAAAA==");
        h.add("x-amz-meta-Owner", "me");
        h.add("x-amz-sdk-checksum-algorithm", "CRC32");
        h.add("If-Match", "\"etag\"");
        return h;
    }

    @Test
    void hopByHopAndClientOnlyHeadersAreRemovedTheRestKept() {
        HttpHeaders out = ForwardedHeaders.upstream(clientHeaders(), false);
        assertThat(out.names()).containsExactlyInAnyOrder("Content-Type", "Content-MD5", "x-amz-checksum-crc32",
                "x-amz-meta-Owner", "x-amz-sdk-checksum-algorithm", "If-Match");
        assertThat(out.get("x-amz-meta-owner")).isEqualTo("me");
    }

    @Test
    void checksumAlgorithmIsDroppedWhenTheTrailerIsNotResent() {
        assertThat(ForwardedHeaders.upstream(clientHeaders(), true).contains("x-amz-sdk-checksum-algorithm")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "aws-chunked, gzip|gzip",
            "deflate, gzip|deflate, gzip",
            "gzip,aws-chunked|gzip",
            "gzip, AWS-Chunked , br|gzip, br",
            "gzip ,  deflate|gzip ,  deflate",
            "gzip,,br|gzip,,br",
            "gzip|gzip"})
    void contentEncodingLosesOnlyTheAwsChunkedTokenEveryOtherByteKept(String sent, String forwarded) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Content-Encoding", sent);
        assertThat(ForwardedHeaders.upstream(h, false).getAll("Content-Encoding")).containsExactly(forwarded);
    }

    @Test
    void contentEncodingOfOnlyAwsChunkedIsDropped() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Content-Encoding", "aws-chunked");
        h.add("Content-Encoding", "AWS-CHUNKED ,");
        assertThat(ForwardedHeaders.upstream(h, false).contains("Content-Encoding")).isFalse();
    }

    @Test
    void tokensNamedInEveryConnectionHeaderAreRemovedButCloseIsNotAHeaderName() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "close, x-a");
        h.add("Connection", "X-B ,x-d");
        h.add("x-a", "1");
        h.add("x-b", "2");
        h.add("close", "not hop-by-hop by name");
        h.add("x-c", "3");
        HttpHeaders out = ForwardedHeaders.upstream(h, false);
        assertThat(out.names()).containsExactlyInAnyOrder("close", "x-c");
    }

    @Test
    void upstreamResponseLosesItsHopByHopHeadersOnly() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "keep-alive, X-Internal");
        h.add("Keep-Alive", "timeout=5");
        h.add("X-Internal", "x");
        h.add("Upgrade", "h2c");
        h.add("Transfer-Encoding", "chunked");
        h.add("Content-Length", "5");
        h.add("ETag", "\"e\"");
        h.add("x-amz-request-id", "UP1");
        ForwardedHeaders.stripHopByHop(h);
        // Framing headers stay: the relay keeps the upstream's framing.
        assertThat(h.names()).containsExactlyInAnyOrder("Transfer-Encoding", "Content-Length", "ETag", "x-amz-request-id");
    }
}
