package io.s3lockproxy.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import io.s3lockproxy.sigv4.CanonicalRequest;
import io.s3lockproxy.sigv4.SigningKey;
import io.s3lockproxy.sigv4.StringToSign;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Signs a request head with SigV4 header authentication for service {@code s3}, with the same
 * canonical request the proxy verifies clients with. Every header present is signed but those a
 * hop may change ({@code connection}, {@code expect}, {@code user-agent}, …); the payload is never
 * hashed here ({@code UNSIGNED-PAYLOAD} or {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}).
 *
 * <p>The signing key is derived once per day, region and secret, the timestamp formatted once per
 * second; thread-safe.
 */
final class HeadSigner {
    private static final Set<String> UNSIGNED_HEADERS = Set.of(
            "connection", "keep-alive", "expect", "user-agent", "x-amzn-trace-id", "transfer-encoding", "authorization");

    private record Key(String secret, String date, SigningKey key) {
    }

    private record Stamp(long second, String timestamp) {
    }

    private final String region;
    private final Clock clock;
    private volatile Key key;
    private volatile Stamp stamp;

    HeadSigner(String region, Clock clock) {
        this.region = region;
        this.clock = clock;
    }

    /**
     * Adds {@code x-amz-date}, {@code x-amz-content-sha256}, {@code x-amz-security-token} (for a
     * session identity) and {@code Authorization} to {@code headers}, which must already hold Host
     * and every other header that goes upstream.
     *
     * @param rawPath   the path as sent on the wire (percent-encoded)
     * @param rawQuery  the query as sent on the wire, without '?' (empty when none)
     */
    void sign(String method, String rawPath, String rawQuery, HttpHeaders headers, String payloadHash,
              AwsCredentialsIdentity identity) {
        String timestamp = timestamp();
        String date = timestamp.substring(0, 8);
        headers.set("x-amz-date", timestamp);
        headers.set("x-amz-content-sha256", payloadHash);
        if (identity instanceof AwsSessionCredentialsIdentity session) {
            headers.set("x-amz-security-token", session.sessionToken());
        }
        List<String> signed = signedHeaders(headers);
        String canonical = CanonicalRequest.build(method, rawPath, rawQuery, false, headers::getAll, signed,
                payloadHash);
        String scope = date + '/' + region + "/s3/aws4_request";
        String signature = signingKey(identity.secretAccessKey(), date).sign(StringToSign.build(timestamp, scope, canonical));
        headers.set("Authorization", StringToSign.ALGORITHM + " Credential=" + identity.accessKeyId() + '/' + scope
                + ", SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature);
    }

    private static List<String> signedHeaders(HttpHeaders headers) {
        List<String> names = new ArrayList<>(headers.size());
        for (String name : headers.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!UNSIGNED_HEADERS.contains(lower) && !names.contains(lower)) {
                names.add(lower);
            }
        }
        names.sort(null);
        return names;
    }

    private SigningKey signingKey(String secret, String date) {
        Key k = key;
        if (k == null || !k.date().equals(date) || !k.secret().equals(secret)) {
            k = new Key(secret, date, SigningKey.derive(secret, date, region, "s3"));
            key = k;
        }
        return k.key();
    }

    private String timestamp() {
        long second = Math.floorDiv(clock.millis(), 1000);
        Stamp s = stamp;
        if (s == null || s.second() != second) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            s = new Stamp(second, String.format(Locale.ROOT, "%04d%02d%02dT%02d%02d%02dZ", t.getYear(),
                    t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
            stamp = s;
        }
        return s.timestamp();
    }
}
