package io.s3lockproxy.upstream;

/** A failure talking to the upstream, classified by {@link UpstreamError}. */
public final class UpstreamException extends RuntimeException {
    private final UpstreamError error;

    public UpstreamException(UpstreamError error, Throwable cause) {
        super(error.description() + (cause == null ? "" : ": " + cause.getMessage()), cause);
        this.error = error;
    }

    /** Returns the classification of this failure. */
    public UpstreamError error() {
        return error;
    }
}
