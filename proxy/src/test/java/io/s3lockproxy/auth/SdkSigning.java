package io.s3lockproxy.auth;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.s3lockproxy.s3.S3Operation;
import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.sigv4.UriEncoding;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import java.util.function.Consumer;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Signs requests with the AWS SDK's own SigV4 signer and turns them into the proxy's {@link S3Request}. */
final class SdkSigning {
    static final String ACCESS_KEY = "AKIDPROXYTEST";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private SdkSigning() {
    }

    static CredentialStore store() {
        return new CredentialStore(Map.of(ACCESS_KEY, SECRET, "AKIDOTHER", "otherSecret"));
    }

    static Clock clockAt(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    /** Returns {@code request} signed by the SDK for S3 (no double encoding, no normalization). */
    static SdkHttpRequest sign(SdkHttpRequest request, String body, boolean presigned, Instant at, String secret,
            Duration expires) {
        return sign(request, body, presigned, at, secret, expires, r -> { });
    }

    /** Returns {@code request} signed by the SDK, with extra signer properties set by {@code extra}. */
    static SdkHttpRequest sign(SdkHttpRequest request, String body, boolean presigned, Instant at, String secret,
            Duration expires, Consumer<SignRequest.Builder<AwsCredentialsIdentity>> extra) {
        // Presigned URLs are HTTPS in practice; over plain HTTP the SDK signs the payload anyway.
        SdkHttpRequest target = presigned ? request.toBuilder().protocol("https").build() : request;
        return SIGNER.sign(r -> {
            r.identity(AwsCredentialsIdentity.create(ACCESS_KEY, secret))
                    .request(target)
                    .payload(body == null ? null : ContentStreamProvider.fromUtf8String(body))
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-central-1")
                    .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                    .putProperty(HttpSigner.SIGNING_CLOCK, clockAt(at));
            if (presigned) {
                r.putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, expires)
                        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false);
            } else {
                r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true);
            }
            extra.accept(r);
        }).request();
    }

    /** Returns the request the proxy would parse from {@code signed}: raw path and query as the SDK encoded them. */
    static S3Request toS3Request(SdkHttpRequest signed) {
        HttpHeaders headers = new DefaultHttpHeaders();
        // Netty's decoder strips whitespace around a value (and its headers refuse it), so do the same.
        signed.forEachHeader((name, values) -> values.forEach(v -> headers.add(name, v.strip())));
        if (!headers.contains("Host")) {
            boolean defaultPort = signed.port() == (signed.protocol().equals("https") ? 443 : 80);
            headers.add("Host", signed.host() + (defaultPort ? "" : ":" + signed.port()));
        }
        return s3Request(signed.method().name(), signed.encodedPath(), signed.encodedQueryParameters().orElse(""),
                headers);
    }

    /** Returns an S3Request with the decoded query list derived from {@code rawQuery}. */
    static S3Request s3Request(String method, String rawPath, String rawQuery, HttpHeaders headers) {
        List<Map.Entry<String, String>> query = new ArrayList<>();
        if (!rawQuery.isEmpty()) {
            for (String part : rawQuery.split("&")) {
                int eq = part.indexOf('=');
                String name = UriEncoding.decode(eq < 0 ? part : part.substring(0, eq));
                String value = eq < 0 ? "" : UriEncoding.decode(part.substring(eq + 1));
                query.add(Map.entry(name, value));
            }
        }
        return new S3Request("req-1", method, rawPath, rawQuery, query, headers, "bucket", null,
                S3Operation.OTHER_OBJECT);
    }
}
