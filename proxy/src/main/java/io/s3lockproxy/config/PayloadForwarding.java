package io.s3lockproxy.config;

/** How request bodies are declared to the upstream. */
public enum PayloadForwarding {
    /**
     * Keep the client's own integrity data verifiable upstream: a hex hash is forwarded as is,
     * an unsigned-trailer body is forwarded as is, a signed aws-chunked body is re-framed as
     * unsigned aws-chunked with the client's checksum as the trailer.
     */
    AUTO,
    /** Always {@code UNSIGNED-PAYLOAD} with the decoded length, for upstreams without aws-chunked support. */
    UNSIGNED
}
