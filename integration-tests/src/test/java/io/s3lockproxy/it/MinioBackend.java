package io.s3lockproxy.it;

import java.net.URI;
import java.util.UUID;
import org.testcontainers.containers.MinIOContainer;

/** MinIO in a container through Testcontainers; only usable where a Docker engine exists. */
public final class MinioBackend implements S3Backend {
    static final String IMAGE = System.getProperty("it.minio.image", "minio/minio:RELEASE.2025-04-22T22-12-26Z");

    private final MinIOContainer container;

    private MinioBackend(MinIOContainer container) {
        this.container = container;
    }

    public static MinioBackend start() {
        MinIOContainer container = new MinIOContainer(IMAGE)
                .withUserName("minio-" + UUID.randomUUID().toString().substring(0, 8))
                .withPassword(UUID.randomUUID().toString().replace("-", ""));
        container.start();
        return new MinioBackend(container);
    }

    @Override
    public URI endpoint() {
        return URI.create(container.getS3URL());
    }

    @Override
    public String accessKey() {
        return container.getUserName();
    }

    @Override
    public String secretKey() {
        return container.getPassword();
    }

    @Override
    public String region() {
        return "us-east-1";
    }

    @Override
    public String kind() {
        return "minio";
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "MinIO at " + endpoint();
    }
}
