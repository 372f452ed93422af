package io.s3lockproxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Client authentication settings.
 *
 * @param maxClockSkew         how far a request's date may be from the proxy's clock
 * @param acceptSessionTokens  whether requests carrying {@code x-amz-security-token} are accepted
 * @param sigV2                whether Signature Version 2 requests (header and presigned query) are verified;
 *                             when false they get 400 InvalidRequest
 * @param anonymous            what becomes of requests without any signature
 */
public record AuthConfig(Duration maxClockSkew, boolean acceptSessionTokens, boolean sigV2, AnonymousAccess anonymous) {

    public AuthConfig {
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        Objects.requireNonNull(anonymous, "anonymous");
    }

    /** Settings with the defaults of {@code auth.sigV2} (true) and {@code auth.anonymous} (forward). */
    public AuthConfig(Duration maxClockSkew, boolean acceptSessionTokens) {
        this(maxClockSkew, acceptSessionTokens, true, AnonymousAccess.FORWARD);
    }
}
