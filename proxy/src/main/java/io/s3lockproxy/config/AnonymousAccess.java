package io.s3lockproxy.config;

/** What the proxy does with a request that carries no signature at all ({@code auth.anonymous}). */
public enum AnonymousAccess {
    /**
     * The request goes upstream unsigned, so the upstream's own public-access rules decide and the
     * proxy adds no authority; writes among such requests still take locks.
     */
    FORWARD,
    /** The proxy answers 403 AccessDenied itself. */
    DENY
}
