package io.s3lockproxy.config;

/** A key pair the proxy accepts from clients. */
public record ClientCredential(String accessKey, String secretKey) {
    @Override
    public String toString() {
        return "ClientCredential[accessKey=" + accessKey + ", secretKey=<redacted>]";
    }
}
