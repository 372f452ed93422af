package io.s3lockproxy.config;

import java.time.Duration;

/**
 * Client authentication settings.
 *
 * @param maxClockSkew         how far a request's date may be from the proxy's clock
 * @param acceptSessionTokens  whether requests carrying {@code x-amz-security-token} are accepted
 */
public record AuthConfig(Duration maxClockSkew, boolean acceptSessionTokens) {
}
