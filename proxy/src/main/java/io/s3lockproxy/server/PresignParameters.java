package io.s3lockproxy.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The query parameters of a presigned URL that belong to the client's signature and never go upstream. */
final class PresignParameters {
    private static final Set<String> NAMES = Set.of(
            "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
            "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token");

    private PresignParameters() {
    }

    /** Returns {@code query} without the client's signature parameters. */
    static List<Map.Entry<String, String>> without(List<Map.Entry<String, String>> query) {
        List<Map.Entry<String, String>> out = new ArrayList<>(query.size());
        for (Map.Entry<String, String> p : query) {
            if (!NAMES.contains(p.getKey())) {
                out.add(p);
            }
        }
        return out;
    }
}
