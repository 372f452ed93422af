package io.s3lockproxy.server;

import io.s3lockproxy.s3.S3Request;
import io.s3lockproxy.upstream.UpstreamError;

/**
 * What one exchange counts while it runs — bytes each way, the status sent, the lock wait, the
 * upstream failure — and turns into its {@link RequestRecord} once, when it ends. Used on the
 * exchange's event loop only.
 */
final class ExchangeTally {
    private final long startNanos = System.nanoTime();
    private String accessKeyId;
    private long bytesIn;
    private long bytesOut;
    private long lockWaitStartNanos;
    private long lockWaitNanos;
    private int status;
    private UpstreamError upstreamError;
    private boolean ended;

    void authenticated(String accessKeyId) {
        this.accessKeyId = accessKeyId;
    }

    void received(long bytes) {
        bytesIn += bytes;
    }

    void sent(long bytes) {
        bytesOut += bytes;
    }

    void status(int status) {
        this.status = status;
    }

    void lockWaitStarted() {
        lockWaitStartNanos = System.nanoTime();
    }

    void lockWaitEnded() {
        lockWaitNanos = System.nanoTime() - lockWaitStartNanos;
    }

    void upstreamFailed(UpstreamError error) {
        upstreamError = error;
    }

    /** Returns the record of the exchange the first time it is asked for, null after that. */
    RequestRecord end(String requestId, String method, S3Request request, boolean aborted) {
        if (ended) {
            return null;
        }
        ended = true;
        return new RequestRecord(requestId, accessKeyId,
                request != null ? request.operation().name() : "UNKNOWN", method,
                request != null ? request.bucket() : null, request != null ? request.key() : null,
                status, aborted, bytesIn, bytesOut, System.nanoTime() - startNanos, lockWaitNanos, upstreamError);
    }
}
