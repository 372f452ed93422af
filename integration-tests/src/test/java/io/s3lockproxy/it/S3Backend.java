package io.s3lockproxy.it;

import java.net.URI;

/** A real S3 implementation the proxy forwards to, started for a test run. */
public interface S3Backend extends AutoCloseable {

    /** Endpoint to send path-style requests to, e.g. {@code http://127.0.0.1:9000}. */
    URI endpoint();

    String accessKey();

    String secretKey();

    String region();

    /** Short name for logs and reports: {@code s3proxy} or {@code minio}. */
    String kind();

    @Override
    void close();
}
