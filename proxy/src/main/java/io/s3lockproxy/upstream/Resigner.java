package io.s3lockproxy.upstream;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.config.UpstreamConfig;
import io.s3lockproxy.s3.ObjectKeyPath;
import io.s3lockproxy.sigv4.CanonicalRequest;
import io.s3lockproxy.sigv4.UriEncoding;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs requests for the upstream with the AWS SDK's own SigV4 signer and the proxy's upstream
 * credentials.
 *
 * <p>The SDK signer offers no public way to declare a payload hash computed elsewhere, so a
 * client's hex {@code x-amz-content-sha256} is checked by the proxy itself and the upstream gets
 * {@code UNSIGNED-PAYLOAD}; checksum headers ({@code x-amz-checksum-*}, {@code Content-MD5}) are
 * forwarded and stay verifiable upstream, and a checksum trailer is re-sent as an unsigned trailer.
 */
public final class Resigner {
    private final UpstreamConfig upstream;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final AwsCredentialsProvider credentials;

    /** Signs with the credentials {@code upstream.credentials} names (resolved once here, to fail fast). */
    public Resigner(UpstreamConfig upstream) {
        this(upstream, UpstreamCredentials.provider(upstream));
    }

    /**
     * Signs with whatever {@code credentials} holds at each request, so rotated keys and renewed
     * session tokens take effect without a restart; a session identity adds {@code x-amz-security-token}.
     */
    public Resigner(UpstreamConfig upstream, AwsCredentialsProvider credentials) {
        this.upstream = upstream;
        this.credentials = credentials;
    }

    /**
     * Returns the signed request head to send upstream. The path goes on the wire in the form
     * {@link ObjectKeyPath} gives a key ({@code %2E} for the dots of a dot segment) and is signed as
     * S3 canonicalises it, each segment decoded and encoded once, in which {@code %2E} is a dot:
     * the form a signer with {@code NORMALIZE_PATH} off signs verbatim.
     */
    public HttpRequest sign(UpstreamRequest request) {
        String wirePath = path(request.bucket(), request.key());
        SdkHttpRequest built = unsignedRequest(request, CanonicalRequest.canonicalUri(wirePath));
        BodyPlan body = request.body();
        AwsCredentialsIdentity identity = credentials.resolveCredentials();
        SdkHttpRequest signed = signer.sign((SignRequest.Builder<AwsCredentialsIdentity> r) -> {
            r.identity(identity)
                    .request(built)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, upstream.region())
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false);
            if (body.kind() == BodyPlan.Kind.CHUNKED_TRAILER) {
                r.putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                        .putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, algorithm(body.trailerName()));
            }
        }).request();
        return toNetty(signed, wirePath);
    }

    /**
     * Returns the request head to send upstream without any signature, for an anonymous client:
     * the upstream's own public-access rules decide, and the proxy lends it no credentials.
     */
    public HttpRequest unsigned(UpstreamRequest request) {
        if (request.body().kind() == BodyPlan.Kind.CHUNKED_TRAILER) {
            throw new IllegalArgumentException("an unsigned request cannot carry an aws-chunked body");
        }
        String wirePath = path(request.bucket(), request.key());
        HttpRequest out = toNetty(unsignedRequest(request, wirePath), wirePath);
        out.headers().set("Host", hostHeader(request.bucket()));
        return out;
    }

    private String hostHeader(String bucket) {
        int port = upstream.port();
        boolean defaultPort = port == (upstream.tls() ? 443 : 80);
        return host(bucket) + (defaultPort ? "" : ":" + port);
    }

    private SdkHttpRequest unsignedRequest(UpstreamRequest request, String encodedPath) {
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(request.method()))
                .protocol(upstream.tls() ? "https" : "http")
                .host(host(request.bucket()))
                .port(upstream.port())
                .encodedPath(encodedPath);
        for (Map.Entry<String, String> p : request.query()) {
            unsigned.appendRawQueryParameter(p.getKey(), p.getValue());
        }
        for (Map.Entry<String, String> h : request.headers()) {
            unsigned.appendHeader(h.getKey(), h.getValue());
        }
        BodyPlan body = request.body();
        if (body.kind() != BodyPlan.Kind.NONE) {
            unsigned.putHeader("Content-Length", Long.toString(body.contentLength()));
        }
        return unsigned.build();
    }

    private String host(String bucket) {
        String host = upstream.endpoint().getHost();
        return upstream.pathStyle() || bucket == null ? host : bucket + "." + host;
    }

    private String path(String bucket, String key) {
        if (bucket == null) {
            return "/";
        }
        String keyPath = key == null ? "" : ObjectKeyPath.encode(key);
        if (!upstream.pathStyle()) {
            return "/" + keyPath;
        }
        return "/" + UriEncoding.encode(bucket, false) + (key == null ? "" : "/" + keyPath);
    }

    private static HttpRequest toNetty(SdkHttpRequest signed, String wirePath) {
        String rawQuery = signed.encodedQueryParameters().orElse(null);
        String uri = wirePath + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(signed.method().name()), uri);
        signed.forEachHeader((name, values) -> out.headers().add(name, values));
        return out;
    }

    /** Returns the SDK checksum algorithm behind a trailer name such as {@code x-amz-checksum-crc32c}. */
    static ChecksumAlgorithm algorithm(String trailerName) {
        String suffix = trailerName.toLowerCase(Locale.ROOT).replace("x-amz-checksum-", "");
        return switch (suffix) {
            case "crc32" -> DefaultChecksumAlgorithm.CRC32;
            case "crc32c" -> DefaultChecksumAlgorithm.CRC32C;
            case "crc64nvme" -> DefaultChecksumAlgorithm.CRC64NVME;
            case "sha1" -> DefaultChecksumAlgorithm.SHA1;
            case "sha256" -> DefaultChecksumAlgorithm.SHA256;
            default -> throw new IllegalArgumentException("unsupported checksum trailer " + trailerName);
        };
    }
}
