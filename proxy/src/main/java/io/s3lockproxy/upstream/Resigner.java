package io.s3lockproxy.upstream;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.s3lockproxy.config.UpstreamConfig;
import io.s3lockproxy.s3.ObjectKeyPath;
import io.s3lockproxy.sigv4.UriEncoding;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Builds the request heads that go upstream and signs them with SigV4 ({@link HeadSigner}) and the
 * proxy's upstream credentials.
 *
 * <p>The payload is never hashed again: a client's hex {@code x-amz-content-sha256} is checked by
 * the proxy itself and the upstream gets {@code UNSIGNED-PAYLOAD}; checksum headers
 * ({@code x-amz-checksum-*}, {@code Content-MD5}) are forwarded and stay verifiable upstream, and a
 * checksum trailer is re-sent as an unsigned trailer ({@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}).
 */
public final class Resigner {
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    private static final HttpHeadersFactory UNVALIDATED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private final UpstreamConfig upstream;
    private final AwsCredentialsProvider credentials;
    private final HeadSigner signer;

    /** Signs with the credentials {@code upstream.credentials} names (resolved once here, to fail fast). */
    public Resigner(UpstreamConfig upstream) {
        this(upstream, UpstreamCredentials.provider(upstream));
    }

    /**
     * Signs with whatever {@code credentials} holds at each request, so rotated keys and renewed
     * session tokens take effect without a restart; a session identity adds {@code x-amz-security-token}.
     */
    public Resigner(UpstreamConfig upstream, AwsCredentialsProvider credentials) {
        this(upstream, credentials, Clock.systemUTC());
    }

    /** As above, dating signatures by {@code clock}. */
    Resigner(UpstreamConfig upstream, AwsCredentialsProvider credentials, Clock clock) {
        this.upstream = upstream;
        this.credentials = credentials;
        this.signer = new HeadSigner(upstream.region(), clock);
    }

    /**
     * Returns the signed request head to send upstream. The path goes on the wire in the form
     * {@link ObjectKeyPath} gives a key ({@code %2E} for the dots of a dot segment) and is signed as
     * S3 canonicalises it, each segment decoded and encoded once, in which {@code %2E} is a dot.
     */
    public HttpRequest sign(UpstreamRequest request) {
        AwsCredentialsIdentity identity = credentials.resolveCredentials();
        String path = path(request.bucket(), request.key());
        String query = query(request);
        HttpRequest out = head(request, path, query);
        BodyPlan body = request.body();
        String payloadHash = UNSIGNED_PAYLOAD;
        if (body.kind() == BodyPlan.Kind.CHUNKED_TRAILER) {
            payloadHash = STREAMING_UNSIGNED_TRAILER;
            HttpHeaders h = out.headers();
            h.set(HttpHeaderNames.CONTENT_LENGTH, AwsChunkedEncoder.encodedLength(body.contentLength(),
                    BodyPlan.UPSTREAM_CHUNK_SIZE, body.trailerName(), body.trailerValueLength()));
            h.set("x-amz-decoded-content-length", body.contentLength());
            h.set("x-amz-trailer", body.trailerName());
            String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
            h.set(HttpHeaderNames.CONTENT_ENCODING, encoding == null ? "aws-chunked" : "aws-chunked," + encoding);
        }
        signer.sign(request.method(), path, query, out.headers(), payloadHash, identity);
        return out;
    }

    /**
     * Returns the request head to send upstream without any signature, for an anonymous client:
     * the upstream's own public-access rules decide, and the proxy lends it no credentials.
     */
    public HttpRequest unsigned(UpstreamRequest request) {
        if (request.body().kind() == BodyPlan.Kind.CHUNKED_TRAILER) {
            throw new IllegalArgumentException("an unsigned request cannot carry an aws-chunked body");
        }
        return head(request, path(request.bucket(), request.key()), query(request));
    }

    /**
     * The head with the request's headers, Host and (for a body) its framing; nothing signed yet.
     * Its headers are not validated again: the client's passed the HTTP decoder, the rest are the proxy's.
     */
    private HttpRequest head(UpstreamRequest request, String path, String query) {
        HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()),
                query.isEmpty() ? path : path + '?' + query, UNVALIDATED);
        HttpHeaders h = out.headers();
        h.set(HttpHeaderNames.HOST, hostHeader(request.bucket()));
        h.add(request.headers());
        if (request.body().kind() == BodyPlan.Kind.HTTP_CHUNKED) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (request.body().kind() != BodyPlan.Kind.NONE) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, request.body().contentLength());
        }
        return out;
    }

    private String hostHeader(String bucket) {
        int port = upstream.port();
        boolean defaultPort = port == (upstream.tls() ? 443 : 80);
        return host(bucket) + (defaultPort ? "" : ":" + port);
    }

    /** The query as sent: each name and value percent-encoded as SigV4 encodes them, in the request's order. */
    private static String query(UpstreamRequest request) {
        if (request.query().isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> p : request.query()) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(UriEncoding.encode(p.getKey(), false));
            if (p.getValue() != null) {
                out.append('=').append(UriEncoding.encode(p.getValue(), false));
            }
        }
        return out.toString();
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
}
