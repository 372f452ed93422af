package io.s3lockproxy.bench;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.s3.RequestParser;
import io.s3lockproxy.s3.S3Request;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Builds client requests signed by the AWS SDK, as the proxy receives them. */
final class SignedRequests {
    static final String ACCESS_KEY = "AKIDBENCH";
    static final String SECRET = "benchmark-secret-key";

    private SignedRequests() {
    }

    /** Returns a PutObject head signed at {@code at} with an UNSIGNED-PAYLOAD body of {@code length} bytes. */
    static S3Request putObject(Instant at, long length) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.PUT).protocol("http").host("127.0.0.1").port(8080)
                .encodedPath("/bench-bucket/some/key%20with%20spaces.json")
                .putRawQueryParameter("x-id", "PutObject")
                .putHeader("Content-Length", Long.toString(length))
                .putHeader("Content-Type", "application/json")
                .putHeader("x-amz-meta-owner", "benchmark")
                .build();
        return asReceived(sign(unsigned, at, false), HttpMethod.PUT);
    }

    /** Returns a GetObject presigned at {@code at} for an hour, as a browser or curl sends it. */
    static S3Request presignedGet(Instant at) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET).protocol("http").host("127.0.0.1").port(8080)
                .encodedPath("/bench-bucket/some/key%20with%20spaces.json")
                .build();
        return asReceived(sign(unsigned, at, true), HttpMethod.GET);
    }

    /** Signs as S3 clients do (no path normalisation, single URL encoding, unsigned payload); {@code presign}: in the query, for an hour. */
    private static SdkHttpRequest sign(SdkHttpRequest unsigned, Instant at, boolean presign) {
        return AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET))
                    .request(unsigned)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, java.time.Clock.fixed(at, java.time.ZoneOffset.UTC));
            if (presign) {
                r.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, java.time.Duration.ofHours(1));
            }
        }).request();
    }

    private static S3Request asReceived(SdkHttpRequest signed, HttpMethod method) {
        String query = signed.encodedQueryParameters().map(q -> "?" + q).orElse("");
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, signed.encodedPath() + query,
                new DefaultHttpHeaders());
        for (Map.Entry<String, List<String>> h : signed.headers().entrySet()) {
            head.headers().add(h.getKey(), h.getValue());
        }
        if (!head.headers().contains("Host")) {
            head.headers().add("Host", "127.0.0.1:8080");
        }
        return new RequestParser(null).parse(head, "BENCH");
    }
}
