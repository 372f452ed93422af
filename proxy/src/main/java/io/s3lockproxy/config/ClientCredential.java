package io.s3lockproxy.config;

import java.util.List;

/**
 * A key pair the proxy accepts from clients, and what it may do.
 *
 * @param accessKey    the access key id
 * @param secretKey    its secret
 * @param buckets      the only buckets the key may touch; empty means every bucket
 * @param readOnly     whether the key may only read (GET and HEAD requests)
 * @param bucketAdmin  whether a limited key may also read and change the configuration and ACLs
 *                     of its buckets, create and delete them, and send ACL, grant and object-lock
 *                     headers; a key without limits has that authority anyway
 */
public record ClientCredential(String accessKey, String secretKey, List<String> buckets, boolean readOnly,
                               boolean bucketAdmin) {

    public ClientCredential {
        buckets = List.copyOf(buckets);
    }

    /** A key pair with limits and without bucket administration. */
    public ClientCredential(String accessKey, String secretKey, List<String> buckets, boolean readOnly) {
        this(accessKey, secretKey, buckets, readOnly, false);
    }

    /** A key pair without limits. */
    public ClientCredential(String accessKey, String secretKey) {
        this(accessKey, secretKey, List.of(), false);
    }

    /** Returns whether the key is limited to a list of buckets. */
    public boolean bucketLimited() {
        return !buckets.isEmpty();
    }

    /** Returns whether the key is limited at all: to some buckets, or to reading. */
    public boolean limited() {
        return bucketLimited() || readOnly;
    }

    @Override
    public String toString() {
        return "ClientCredential[accessKey=" + accessKey + ", secretKey=<redacted>, buckets=" + buckets
                + ", readOnly=" + readOnly + ", bucketAdmin=" + bucketAdmin + "]";
    }
}
