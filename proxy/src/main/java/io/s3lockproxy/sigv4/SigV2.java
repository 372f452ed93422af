package io.s3lockproxy.sigv4;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The maths of AWS Signature Version 2 for S3 (the "RESTAuthentication" rules): string to sign,
 * canonicalized resource, canonicalized {@code x-amz-*} headers and the HMAC-SHA1 signature.
 *
 * <pre>
 * StringToSign = HTTP-Verb + "\n" + Content-MD5 + "\n" + Content-Type + "\n"
 *              + (Date | Expires) + "\n" + CanonicalizedAmzHeaders + CanonicalizedResource
 * </pre>
 *
 * Pure functions of their arguments; the verifier decides which values go in.
 */
public final class SigV2 {
    /**
     * The query parameters that name a sub-resource or override a response header, and so are
     * part of the canonicalized resource. The AWS documentation lists acl, lifecycle, location,
     * logging, notification, partNumber, policy, requestPayment, torrent, uploadId, uploads,
     * versionId, versioning, versions, website, delete and the six response-* overrides; the AWS
     * SDKs sign more (SDK for Java 1.x adds cors, restore, tagging, replication, accelerate,
     * inventory, analytics, metrics; botocore also select, select-type, object-lock, storageClass,
     * defaultObjectAcl). This is botocore's list, the widest: every parameter a client may sign is
     * signed here, so a client that signs it verifies, and nothing it signed goes unchecked.
     */
    public static final Set<String> SUB_RESOURCES = Set.of(
            "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle",
            "location", "logging", "metrics", "notification", "object-lock", "partNumber", "policy", "replication",
            "requestPayment", "restore", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId",
            "uploads", "versionId", "versioning", "versions", "website",
            "response-cache-control", "response-content-disposition", "response-content-encoding",
            "response-content-language", "response-content-type", "response-expires");

    private static final String AMZ_PREFIX = "x-amz-";

    private SigV2() {
    }

    /**
     * Returns the string to sign.
     *
     * @param method             the HTTP method as sent
     * @param contentMd5         the Content-MD5 header, or null
     * @param contentType        the Content-Type header, or null
     * @param dateOrExpires      the Date header (empty when x-amz-date is sent) or, for a presigned URL, Expires
     * @param amzHeaders         {@link #canonicalAmzHeaders(List)}
     * @param canonicalResource  {@link #canonicalResource(String, String, List)}
     */
    public static String stringToSign(String method, String contentMd5, String contentType, String dateOrExpires,
            String amzHeaders, String canonicalResource) {
        return method + '\n' + nullToEmpty(contentMd5) + '\n' + nullToEmpty(contentType) + '\n'
                + nullToEmpty(dateOrExpires) + '\n' + amzHeaders + canonicalResource;
    }

    /**
     * Returns the CanonicalizedAmzHeaders of {@code headers} (name, value pairs in received order;
     * others than {@code x-amz-*} are skipped): names in lower case and sorted, the values of one
     * name joined by ',' in received order, folded lines unfolded, whitespace around values
     * trimmed, each header followed by a newline.
     */
    public static String canonicalAmzHeaders(List<Map.Entry<String, String>> headers) {
        TreeMap<String, List<String>> byName = new TreeMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT).strip();
            if (name.startsWith(AMZ_PREFIX)) {
                byName.computeIfAbsent(name, n -> new ArrayList<>()).add(unfold(h.getValue()));
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, List<String>> e : byName.entrySet()) {
            out.append(e.getKey()).append(':').append(String.join(",", e.getValue())).append('\n');
        }
        return out.toString();
    }

    /**
     * Returns the CanonicalizedResource: {@code "/" + bucket} when the bucket was addressed by the
     * Host header, then the path exactly as received (still percent-encoded), then the
     * {@link #SUB_RESOURCES sub-resources} among {@code query} (decoded names and values, as the
     * SDKs sign them) sorted by name, {@code name} alone when its value is empty.
     *
     * @param hostBucket  the bucket when it came from the Host header, else null
     * @param rawPath     the request path as received
     * @param query       the decoded query parameters in received order
     */
    public static String canonicalResource(String hostBucket, String rawPath, List<Map.Entry<String, String>> query) {
        StringBuilder out = new StringBuilder();
        if (hostBucket != null) {
            out.append('/').append(hostBucket);
        }
        out.append(rawPath);
        List<Map.Entry<String, String>> signed = new ArrayList<>();
        for (Map.Entry<String, String> p : query) {
            if (SUB_RESOURCES.contains(p.getKey())) {
                signed.add(p);
            }
        }
        // A stable sort: repeated names keep their received order.
        signed.sort(Comparator.comparing(Map.Entry::getKey));
        char separator = '?';
        for (Map.Entry<String, String> p : signed) {
            out.append(separator).append(p.getKey());
            if (p.getValue() != null && !p.getValue().isEmpty()) {
                out.append('=').append(p.getValue());
            }
            separator = '&';
        }
        return out.toString();
    }

    /** Returns the Base64 HMAC-SHA1 of the UTF-8 {@code stringToSign} under {@code secretKey}. */
    public static String sign(String secretKey, String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    /** Replaces folding whitespace (a line break and the blanks around it) by one space and trims. */
    private static String unfold(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                while (out.length() > 0 && isBlank(out.charAt(out.length() - 1))) {
                    out.setLength(out.length() - 1);
                }
                while (i < value.length() && (isBlank(value.charAt(i)) || value.charAt(i) == '\r'
                        || value.charAt(i) == '\n')) {
                    i++;
                }
                out.append(' ');
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString().strip();
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
