package io.s3lockproxy.s3;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells the query parameters that name a sub-resource ({@code ?acl}, {@code ?policy}, {@code ?uploads}…)
 * from those that only shape a listing or a read, carry a signature, or stand in for a header.
 */
public final class Subresources {
    /** Parameters of listings, reads and uploads that select no sub-resource. */
    private static final Set<String> PLAIN = Set.of(
            "prefix", "delimiter", "marker", "max-keys", "list-type", "continuation-token", "start-after",
            "fetch-owner", "encoding-type", "versionId", "partNumber", "x-id", "key-marker",
            "version-id-marker", "upload-id-marker", "max-uploads", "max-parts", "part-number-marker",
            // ListBuckets, ListDirectoryBuckets
            "max-buckets", "bucket-region", "max-directory-buckets",
            // SigV2 presigned URLs
            "AWSAccessKeyId", "Expires", "Signature");

    private Subresources() {
    }

    /**
     * Returns whether {@code name} names a sub-resource: anything but a plain parameter, a
     * {@code response-*} override or an {@code x-amz-*} parameter (SigV4 presigning, or a header
     * given in the query). Unknown names count as sub-resources.
     */
    public static boolean isSubresource(String name) {
        return !PLAIN.contains(name) && !name.startsWith("response-")
                && !name.regionMatches(true, 0, "x-amz-", 0, "x-amz-".length());
    }

    /** Returns the sub-resource names in {@code query}, in order, each once. */
    public static Set<String> of(List<Map.Entry<String, String>> query) {
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, String> p : query) {
            if (isSubresource(p.getKey())) {
                out.add(p.getKey());
            }
        }
        return out;
    }
}
