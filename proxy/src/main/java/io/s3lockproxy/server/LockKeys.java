package io.s3lockproxy.server;

import io.s3lockproxy.lock.LockKey;
import io.s3lockproxy.s3.S3Request;
import java.util.ArrayList;
import java.util.List;

/** Which object keys a write must hold. */
final class LockKeys {
    private LockKeys() {
    }

    /** Returns the key a single-object write locks, or an empty list for requests that lock nothing. */
    static List<LockKey> of(S3Request request) {
        if (!request.operation().locksKey() || request.key() == null) {
            return List.of();
        }
        return List.of(new LockKey(request.bucket(), request.key()));
    }

    /** Returns the keys of a DeleteObjects request, named in its body. */
    static List<LockKey> of(String bucket, List<String> keys) {
        List<LockKey> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            out.add(new LockKey(bucket, key));
        }
        return out;
    }
}
