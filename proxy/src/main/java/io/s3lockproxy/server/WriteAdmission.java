package io.s3lockproxy.server;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.Future;
import io.s3lockproxy.s3.S3Exception;
import io.s3lockproxy.upstream.UpstreamRequest;

/**
 * What stands between a request and its commit at the upstream: for a write, its key locks and
 * conditions ({@link LockedWrite}); for everything else, nothing ({@link #NONE}).
 *
 * <p>The exchange calls it in this order, on its event loop: {@link #admit} once; then, right
 * before the upstream may see the end of the request, {@link #readyToCommit} and, if it says yes,
 * {@link #committed}; {@link #refusal} for the upstream's answer; and {@link #end} exactly once,
 * on every path.
 */
interface WriteAdmission {

    /** How a request ended, which decides when its locks are given back. */
    enum Outcome {
        /** The upstream never received the whole request: nothing was committed. */
        NOT_SENT,
        /** The upstream answered: the outcome is known. */
        ANSWERED,
        /** The upstream had the whole request and never answered: a late commit may still land. */
        UNKNOWN
    }

    /**
     * Takes the request's locks and decides its conditions; completes with the request to send
     * upstream (conditions applied), or fails with the S3Exception to answer. {@code onLeaseLost}
     * runs on the event loop if a lease is lost before {@link #end}.
     */
    Future<UpstreamRequest> admit(UpstreamRequest planned, Runnable onLeaseLost);

    /** Returns whether the end of this request must wait for {@link #readyToCommit}. */
    boolean guardsCommit();

    /**
     * Completes with whether the request may reach its commit point now: its locks are confirmed
     * and certainly held for the commit margin. The caller then sends the end of the request in
     * the same event-loop task, or aborts.
     */
    Future<Boolean> readyToCommit();

    /** The end of the request went upstream: its outcome is in doubt until the upstream answers. */
    void committed();

    /** Returns the error to answer instead of relaying {@code response}, or null to relay it. */
    S3Exception refusal(HttpResponse response);

    /** Gives the locks back: now, or after the settle period when the outcome is unknown. Call once. */
    void end(Outcome outcome);

    /** A request that takes no lock: admitted as planned, always ready to commit. */
    WriteAdmission NONE = new WriteAdmission() {
        @Override
        public Future<UpstreamRequest> admit(UpstreamRequest planned, Runnable onLeaseLost) {
            throw new UnsupportedOperationException("a request without locks is not admitted");
        }

        @Override
        public boolean guardsCommit() {
            return false;
        }

        @Override
        public Future<Boolean> readyToCommit() {
            throw new UnsupportedOperationException("a request without locks has no guarded commit");
        }

        @Override
        public void committed() {
        }

        @Override
        public S3Exception refusal(HttpResponse response) {
            return null;
        }

        @Override
        public void end(Outcome outcome) {
        }
    };
}
