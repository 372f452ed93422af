package io.s3lockproxy.server;

/** ETag comparison as S3 does it for conditional requests: quotes and a weak prefix do not matter. */
final class ETags {
    private ETags() {
    }

    /** Returns whether {@code condition} (an If-Match list, or "*") matches the object's {@code etag}. */
    static boolean matches(String condition, String etag) {
        String bare = bare(etag);
        for (String candidate : condition.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || bare(c).equals(bare)) {
                return true;
            }
        }
        return false;
    }

    static String bare(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }
}
