package io.s3lockproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Requests signed outside any S3 client, for the negative cases a client would never send:
 * the SDK's own {@link AwsV4HttpSigner} (with a chosen clock, chunked or not), and a minimal
 * header signer that lets a test choose the signed headers (e.g. leave out host).
 */
final class HandSigner {
    private HandSigner() {
    }

    /** A request ready to send: headers as signed, and the exact body bytes. */
    record Signed(String method, URI uri, Map<String, List<String>> headers, byte[] body) {
        RawHttp.Response send() {
            return RawHttp.send(method, uri, headers, body);
        }
    }

    /**
     * Signs a PUT of {@code body} with the SDK signer. {@code chunked}: aws-chunked body with
     * per-chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); otherwise a hex payload hash.
     */
    static Signed sdkSignedPut(URI uri, byte[] body, String accessKey, String secretKey, Clock clock, boolean chunked) {
        return sdkSignedPut(uri, body, accessKey, secretKey, clock, chunked, Map.of());
    }

    /** As above, with {@code extraHeaders} (e.g. If-Match, x-amz-meta-*) added before signing, so they are signed too. */
    static Signed sdkSignedPut(URI uri, byte[] body, String accessKey, String secretKey, Clock clock, boolean chunked,
                               Map<String, String> extraHeaders) {
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.PUT)
                .uri(uri)
                .putHeader("Content-Length", Integer.toString(body.length))
                .putHeader("Content-Type", "application/octet-stream");
        extraHeaders.forEach(unsigned::putHeader);
        SdkHttpRequest request = unsigned.build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKey, secretKey))
                .request(request)
                .payload(() -> new java.io.ByteArrayInputStream(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, chunked)
                .putProperty(AwsV4FamilyHttpSigner.SIGNING_CLOCK, clock));
        byte[] wire;
        try (InputStream in = signed.payload().orElseThrow().newStream()) {
            wire = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Signed("PUT", signed.request().getUri(), signed.request().headers(), wire);
    }

    /**
     * A minimal SigV4 header signature over exactly {@code signedHeaderNames} (lower case) for a
     * request without query string. Used to send what the SDK never would: a signature that does
     * not cover host. The same method with host included must be accepted (positive control).
     */
    static Signed minimalSigned(String method, URI uri, byte[] body, String accessKey, String secretKey,
                                List<String> signedHeaderNames) {
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .format(Clock.systemUTC().instant());
        String date = amzDate.substring(0, 8);
        String payloadHash = Payloads.sha256Hex(body);
        Map<String, String> all = new TreeMap<>();
        all.put("host", uri.getHost() + ":" + uri.getPort());
        all.put("x-amz-date", amzDate);
        all.put("x-amz-content-sha256", payloadHash);
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaderNames.stream().sorted().toList()) {
            canonicalHeaders.append(name).append(':').append(all.get(name).trim()).append('\n');
        }
        String signedHeaders = String.join(";", signedHeaderNames.stream().sorted().toList());
        String canonicalRequest = method + "\n" + uri.getRawPath() + "\n\n" + canonicalHeaders + "\n"
                + signedHeaders + "\n" + payloadHash;
        String scope = date + "/us-east-1/s3/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + Payloads.sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, "us-east-1");
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        String signature = HexFormat.of().formatHex(hmac(key, stringToSign));
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("x-amz-date", List.of(amzDate));
        headers.put("x-amz-content-sha256", List.of(payloadHash));
        headers.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature));
        return new Signed(method.toUpperCase(Locale.ROOT), uri, headers, body);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Offsets of the data of each non-empty chunk in an aws-chunked body
     * ({@code hex-size;chunk-signature=...\r\n DATA \r\n}), as [start, end) pairs.
     */
    static List<int[]> chunkDataRanges(byte[] wire) {
        List<int[]> ranges = new java.util.ArrayList<>();
        int pos = 0;
        while (pos < wire.length) {
            int lineEnd = indexOfCrlf(wire, pos);
            String header = new String(wire, pos, lineEnd - pos, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(header.substring(0, header.indexOf(';')), 16);
            int start = lineEnd + 2;
            if (size == 0) {
                break;
            }
            ranges.add(new int[] {start, start + size});
            pos = start + size + 2;
        }
        return ranges;
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("no CRLF after " + from);
    }
}
