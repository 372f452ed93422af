package io.s3lockproxy.config;

/** Where the proxy's own credentials for the upstream come from ({@code upstream.credentials}). */
public enum UpstreamCredentialsSource {
    /** {@code upstream.accessKey} and {@code upstream.secretKey} (from the file or {@code S3LP_…} variables). */
    STATIC,
    /**
     * The AWS SDK's default provider chain: {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}
     * (+ {@code AWS_SESSION_TOKEN}), web identity (EKS IRSA), {@code ~/.aws} profiles, container
     * credentials (ECS, EKS Pod Identity), EC2 instance profile; refreshed before they expire.
     */
    DEFAULT_CHAIN
}
