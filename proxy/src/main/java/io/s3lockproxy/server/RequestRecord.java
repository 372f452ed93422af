package io.s3lockproxy.server;

import io.s3lockproxy.upstream.UpstreamError;

/**
 * What one client request did, produced exactly once when its exchange ends: answered in full,
 * answered with an error by the proxy, or cut off.
 *
 * <p>Holds no secret: the access key id only, never a signature or a secret key.
 *
 * @param requestId      the {@code x-amz-request-id} the proxy gave the request
 * @param accessKeyId    the client's access key id once its signature was verified, else null
 * @param operation      the S3 operation name ({@code PUT_OBJECT} …), or {@code UNKNOWN} when the request did not parse
 * @param method         the HTTP method
 * @param bucket         the bucket, or null
 * @param key            the object key, or null
 * @param status         the HTTP status sent to the client, or 0 when no response head was sent
 * @param aborted        whether the exchange ended by closing the connection before the response was complete
 * @param bytesIn        request body bytes received from the client (as sent, aws-chunked framing included)
 * @param bytesOut       response body bytes sent to the client
 * @param totalNanos     time from the request head to the end of the exchange
 * @param lockWaitNanos  time spent waiting for the key lock (0 for requests that take none)
 * @param upstreamError  why the upstream failed, or null
 */
public record RequestRecord(
        String requestId,
        String accessKeyId,
        String operation,
        String method,
        String bucket,
        String key,
        int status,
        boolean aborted,
        long bytesIn,
        long bytesOut,
        long totalNanos,
        long lockWaitNanos,
        UpstreamError upstreamError) {

    /** Returns the total time in milliseconds. */
    public long totalMillis() {
        return totalNanos / 1_000_000;
    }

    /** Returns the lock wait in milliseconds. */
    public long lockWaitMillis() {
        return lockWaitNanos / 1_000_000;
    }
}
