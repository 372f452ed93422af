package io.s3lockproxy.lock;

/**
 * One key held through this instance right now, for the operations endpoint {@code /locks}.
 *
 * @param bucket        the bucket
 * @param key           the object key
 * @param instanceId    the holding proxy instance (this process)
 * @param requestId     the request holding the key
 * @param fencingToken  the token issued for this acquisition
 * @param ageMillis     how long the key has been held
 * @param waiters       how many requests of this instance queue behind the holder
 * @param distributed   whether the key is also held through Redis
 */
public record LockSnapshot(String bucket, String key, String instanceId, String requestId, long fencingToken,
                       long ageMillis, int waiters, boolean distributed) {
}
