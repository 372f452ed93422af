package io.s3lockproxy.config;

/** How request bodies are declared to the upstream. */
public enum PayloadForwarding {
    /**
     * Keep the client's own checksums verifiable upstream: an unsigned-trailer body is forwarded
     * as is, a signed aws-chunked body is re-framed as unsigned aws-chunked with the client's
     * checksum as the trailer. (A hex payload hash is checked by the proxy in either mode.)
     */
    AUTO,
    /** Always {@code UNSIGNED-PAYLOAD} with the decoded length, for upstreams without aws-chunked support. */
    UNSIGNED
}
