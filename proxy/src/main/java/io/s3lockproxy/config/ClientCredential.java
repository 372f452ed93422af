package io.s3lockproxy.config;

import java.util.List;

/**
 * A key pair the proxy accepts from clients, and what it may do.
 *
 * @param accessKey  the access key id
 * @param secretKey  its secret
 * @param buckets    the only buckets the key may touch; empty means every bucket
 * @param readOnly   whether the key may only read (GET and HEAD requests)
 */
public record ClientCredential(String accessKey, String secretKey, List<String> buckets, boolean readOnly) {

    public ClientCredential {
        buckets = List.copyOf(buckets);
    }

    /** A key pair without limits. */
    public ClientCredential(String accessKey, String secretKey) {
        this(accessKey, secretKey, List.of(), false);
    }

    /** Returns whether the key is limited to a list of buckets. */
    public boolean bucketLimited() {
        return !buckets.isEmpty();
    }

    @Override
    public String toString() {
        return "ClientCredential[accessKey=" + accessKey + ", secretKey=<redacted>, buckets=" + buckets
                + ", readOnly=" + readOnly + "]";
    }
}
