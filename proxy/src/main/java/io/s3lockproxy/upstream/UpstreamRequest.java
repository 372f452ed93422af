package io.s3lockproxy.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * What to send upstream, before signing.
 *
 * @param method   HTTP method
 * @param bucket   bucket or null (service level)
 * @param key      decoded object key or null
 * @param query    decoded query parameters, already without the client's signature parameters
 * @param headers  headers to forward, already without hop-by-hop and client-only headers
 * @param body     how the body is sent
 */
public record UpstreamRequest(String method, String bucket, String key, List<Map.Entry<String, String>> query,
                              HttpHeaders headers, BodyPlan body) {

    /** Returns this request with {@code added} headers besides its own. */
    public UpstreamRequest withHeaders(HttpHeaders added) {
        return new UpstreamRequest(method, bucket, key, query, headers.copy().add(added), body);
    }
}
