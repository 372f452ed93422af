package io.s3lockproxy.upstream;

import io.s3lockproxy.config.ConfigException;
import io.s3lockproxy.config.UpstreamConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The proxy's own credentials at the upstream, per {@code upstream.credentials}. */
public final class UpstreamCredentials {

    private UpstreamCredentials() {
    }

    /**
     * Returns the provider for {@code upstream}: the static key pair, or the AWS SDK's default chain.
     *
     * <p>The chain's provider caches what it found and refreshes it on a background thread before it
     * expires (asyncCredentialUpdateEnabled), so the per-request {@code resolveCredentials()} on an
     * event loop returns a cached value and never waits for IMDS or STS. It is resolved once here so
     * that a machine without any credentials fails at start-up rather than on the first request.
     */
    public static AwsCredentialsProvider provider(UpstreamConfig upstream) {
        return switch (upstream.credentials()) {
            case STATIC -> StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(upstream.accessKey(), upstream.secretKey()));
            case DEFAULT_CHAIN -> {
                DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder()
                        .asyncCredentialUpdateEnabled(true)
                        .build();
                try {
                    chain.resolveCredentials();
                } catch (SdkClientException e) {
                    chain.close();
                    throw new ConfigException("upstream.credentials",
                            "default-chain found no AWS credentials (environment, web identity, profile, container or"
                                    + " instance profile): " + e.getMessage());
                }
                yield chain;
            }
        };
    }
}
