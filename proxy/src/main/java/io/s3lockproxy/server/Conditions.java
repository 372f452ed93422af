package io.s3lockproxy.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.s3lockproxy.upstream.UpstreamRequest;

/**
 * The conditional headers a write carries upstream, decided under its lock.
 *
 * @param set         condition headers to set on the upstream request, replacing the client's of the same name
 * @param drop        a client condition header the upstream must not see (it refuses it), or null
 * @param proxyAdded  whether the upstream request carries a condition the client did not ask for:
 *                    a 412 may then come from the proxy's fence rather than the client's own condition
 */
record Conditions(HttpHeaders set, String drop, boolean proxyAdded) {

    /** The client's headers go up unchanged and the proxy adds nothing. */
    static final Conditions AS_SENT = new Conditions(null, null, false);

    /** Returns {@code request} with these conditions applied. */
    UpstreamRequest applyTo(UpstreamRequest request) {
        if (set == null && drop == null) {
            return request;
        }
        HttpHeaders headers = request.headers().copy();
        if (drop != null) {
            headers.remove(drop);
        }
        if (set != null) {
            headers.setAll(set);
        }
        return new UpstreamRequest(request.method(), request.bucket(), request.key(), request.query(), headers,
                request.body());
    }
}
