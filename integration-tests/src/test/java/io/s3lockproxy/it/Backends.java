package io.s3lockproxy.it;

import java.util.Locale;
import org.testcontainers.DockerClientFactory;

/**
 * Chooses the S3 implementation for a test run: MinIO where a Docker engine answers, S3Proxy
 * otherwise. {@code -Dit.backend=s3proxy|minio} forces one.
 */
public final class Backends {
    private Backends() {
    }

    public static S3Backend start() {
        String forced = System.getProperty("it.backend", "").trim().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "s3proxy":
                return S3ProxyBackend.start();
            case "minio":
                return MinioBackend.start();
            case "":
                return dockerAvailable() ? MinioBackend.start() : S3ProxyBackend.start();
            default:
                throw new IllegalArgumentException("it.backend must be s3proxy or minio, not " + forced);
        }
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
