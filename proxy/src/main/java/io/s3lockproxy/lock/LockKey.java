package io.s3lockproxy.lock;

import java.util.Comparator;
import java.util.Objects;

/**
 * One lockable object: a key in a bucket.
 *
 * <p>The natural order (bucket, then key) is the one canonical order in which multi-key requests
 * acquire their locks, on every instance, so two requests can never wait on each other in a cycle.
 *
 * @param bucket the bucket name
 * @param key    the object key
 */
public record LockKey(String bucket, String key) implements Comparable<LockKey> {

    private static final Comparator<LockKey> ORDER =
            Comparator.comparing(LockKey::bucket).thenComparing(LockKey::key);

    /** Creates a key; both parts are required. */
    public LockKey {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
    }

    @Override
    public int compareTo(LockKey other) {
        return ORDER.compare(this, other);
    }

    /** Returns the Redis hash tag body shared by this key's lock, fence and release channel. */
    String redisTag() {
        return bucket + "/" + key;
    }

    @Override
    public String toString() {
        return bucket + "/" + key;
    }
}
