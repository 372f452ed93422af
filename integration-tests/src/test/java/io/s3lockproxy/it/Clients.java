package io.s3lockproxy.it;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** AWS SDK v2 clients, path-style with static credentials, for the proxy or the backend. */
public final class Clients {
    private Clients() {
    }

    public static S3Client s3(URI endpoint, String accessKey, String secretKey, ClientFlavour flavour) {
        return s3(endpoint, accessKey, secretKey, flavour, 1);
    }

    /**
     * @param maxConnections pool size; the load tool raises it to its thread count
     */
    public static S3Client s3(URI endpoint, String accessKey, String secretKey, ClientFlavour flavour,
                              int maxConnections) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(accessKey, secretKey))
                .requestChecksumCalculation(flavour.calculation())
                .overrideConfiguration(o -> o.retryStrategy(Clients::retryDeadConnectionsOnly))
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(Math.max(maxConnections, 4))
                        .socketTimeout(Duration.ofSeconds(120)))
                .build();
    }

    /**
     * A client that sends every request exactly once (hex payload hashes): its caller sees the
     * first answer or the first I/O failure, so a write it reports as refused was never re-sent.
     *
     * @param timeout how long one request may wait for its answer
     */
    public static S3Client withoutRetries(URI endpoint, String accessKey, String secretKey, int maxConnections,
                                          Duration timeout) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(accessKey, secretKey))
                .requestChecksumCalculation(ClientFlavour.WHEN_REQUIRED.calculation())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(Math.max(maxConnections, 4))
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(timeout))
                .build();
    }

    /** A client of the proxy with the proxy's first client key pair. */
    public static S3Client proxy(ProxyProcess proxy, ClientFlavour flavour) {
        return s3(proxy.endpoint(), proxy.accessKey(), proxy.secretKey(), flavour);
    }

    /** A client straight to the backend with its own credentials: to see what really landed upstream. */
    public static S3Client direct(S3Backend backend) {
        return s3(backend.endpoint(), backend.accessKey(), backend.secretKey(), ClientFlavour.WHEN_REQUIRED);
    }

    public static S3Presigner presigner(URI endpoint, String accessKey, String secretKey) {
        return S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(accessKey, secretKey))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    public static S3Presigner presigner(ProxyProcess proxy) {
        return presigner(proxy.endpoint(), proxy.accessKey(), proxy.secretKey());
    }

    /**
     * One retry, immediately, and only when the request could not be sent at all (an I/O error such
     * as a pooled connection the server had closed after an error answer). An S3 error answer is
     * never retried: a test must see the first answer the proxy gave.
     */
    private static void retryDeadConnectionsOnly(RetryStrategy.Builder<?, ?> b) {
        b.useClientDefaults(false)
                .maxAttempts(2)
                .backoffStrategy(BackoffStrategy.retryImmediately())
                .retryOnException(t -> t instanceof SdkClientException && t.getCause() instanceof IOException);
    }

    static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }
}
