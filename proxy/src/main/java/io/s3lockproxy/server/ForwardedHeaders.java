package io.s3lockproxy.server;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Decides which client headers reach the upstream and which upstream headers reach the client. */
final class ForwardedHeaders {
    /** Hop-by-hop headers (RFC 9110 section 7.6.1) and what the signer or the body plan sets anew. */
    private static final Set<String> NEVER_UPSTREAM = Set.of(
            "host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
            "te", "trailer", "transfer-encoding", "upgrade", "expect", "user-agent", "date",
            "authorization", "x-amz-security-token", "x-amz-date", "x-amz-content-sha256", "content-length",
            "x-amz-decoded-content-length", "x-amz-trailer");
    private static final Set<String> NEVER_DOWNSTREAM = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer", "upgrade");

    private ForwardedHeaders() {
    }

    /**
     * Returns the client headers to send upstream; {@code dropChecksumAlgorithm} removes
     * {@code x-amz-sdk-checksum-algorithm} when the client's checksum trailer is not re-sent.
     */
    static HttpHeaders upstream(HttpHeaders client, boolean dropChecksumAlgorithm) {
        Set<String> named = connectionTokens(client);
        HttpHeaders out = new DefaultHttpHeaders(false);
        for (Map.Entry<String, String> h : client) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (NEVER_UPSTREAM.contains(name) || named.contains(name) || name.startsWith("amz-sdk-")
                    || (dropChecksumAlgorithm && name.equals("x-amz-sdk-checksum-algorithm"))) {
                continue;
            }
            if (name.equals("content-encoding")) {
                String rest = withoutAwsChunked(h.getValue());
                if (!rest.isEmpty()) {
                    out.add(h.getKey(), rest);
                }
                continue;
            }
            out.add(h.getKey(), h.getValue());
        }
        return out;
    }

    /** Removes the hop-by-hop headers of an upstream response in place. */
    static void stripHopByHop(HttpHeaders upstream) {
        Set<String> named = connectionTokens(upstream);
        List<String> drop = new ArrayList<>();
        for (Map.Entry<String, String> h : upstream) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (NEVER_DOWNSTREAM.contains(name) || named.contains(name)) {
                drop.add(h.getKey());
            }
        }
        drop.forEach(upstream::remove);
    }

    /**
     * Returns {@code contentEncoding} without its {@code aws-chunked} token (the framing the proxy
     * removes), every other byte as the client sent it: {@code aws-chunked, gzip} is {@code gzip},
     * {@code deflate, gzip} stays {@code deflate, gzip}; empty when nothing else was declared.
     */
    static String withoutAwsChunked(String contentEncoding) {
        List<String> kept = new ArrayList<>();
        boolean chunked = false;
        for (String token : contentEncoding.split(",", -1)) {
            if (token.trim().equalsIgnoreCase("aws-chunked")) {
                chunked = true;
            } else if (!token.isBlank()) {
                kept.add(token);
            }
        }
        return chunked ? String.join(",", kept).trim() : contentEncoding;
    }

    private static Set<String> connectionTokens(HttpHeaders headers) {
        Set<String> out = new HashSet<>();
        for (String value : headers.getAll("connection")) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !t.equals("close") && !t.equals("keep-alive")) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
