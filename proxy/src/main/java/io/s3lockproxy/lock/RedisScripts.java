package io.s3lockproxy.lock;

/**
 * The Redis names and Lua scripts of the lease protocol.
 *
 * <p>A key's lock, token counter, holder marker and release channel share the hash tag
 * {@code {bucket/key}}, so they live in one cluster slot and one script may touch them all. Braces
 * inside an object key do not break this: the tag runs from the first '{' to the next '}', and both key
 * names have the same brace-free prefix shape, so they always hash alike. The dataset epoch an
 * acquisition reads is named by {@link EpochKeys}; in a Redis Cluster it is in the same slot too.
 */
final class RedisScripts {

    static final String CHANNEL_PREFIX = "s3lp:released:";
    static final String CHANNEL_PATTERN = CHANNEL_PREFIX + "*";

    /**
     * Takes the lease if free and issues the next fencing token; otherwise returns the holder's
     * remaining time to live.
     *
     * <p>KEYS: lock, token counter, holder marker, epoch (all in one slot). ARGV: owner token, lease
     * ms, counter ttl ms, marker ttl ms. Returns {1, token, marker found, counter was missing, epoch, epoch age µs,
     * previous token} or {0, pttl}; the previous token is the one the key's last acquisition got
     * (the counter before this one), or 0 when the counter was missing.
     *
     * <p>The token is max(INCR counter, Redis server time in microseconds): it keeps increasing when
     * the counter is lost (FLUSHALL, restart without persistence, failover to a replica that missed
     * it, or its own expiry), as long as the server clock does not step back.
     *
     * <p>A holder marker found means the previous holder let its lease expire instead of releasing
     * it (paused, crashed, cut off), so its last write may still be landing. A missing counter
     * under an epoch that changed while this instance ran means Redis lost its data lately and
     * nothing is known about the previous holder ({@link RedisLease} decides).
     *
     * <p>A lease that already belongs to this owner token is this same acquisition run a second time:
     * the cluster client resends a command whose connection failed, also when the first run executed
     * and only its reply was lost. It is granted again with a new token, and as taken over from a
     * holder in doubt, since what the first run found is unknown.
     */
    static final String ACQUIRE = """
            local fresh = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
            local again = not fresh and redis.call('GET', KEYS[1]) == ARGV[1]
            if again then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            if fresh or again then
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
              local marker = 1
              if fresh then
                marker = redis.call('EXISTS', KEYS[3])
              end
              local epoch = tonumber(redis.call('GET', KEYS[4]))
              if not epoch then
                epoch = now
                redis.call('SET', KEYS[4], string.format('%.0f', now))
              end
              local previous = tonumber(redis.call('GET', KEYS[2])) or 0
              local token = redis.call('INCR', KEYS[2])
              local counterMissing = 0
              if token == 1 then
                counterMissing = 1
              end
              if token < now then
                token = now
                redis.call('SET', KEYS[2], string.format('%.0f', now))
              end
              redis.call('PEXPIRE', KEYS[2], ARGV[3])
              redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[4])
              return {1, token, marker, counterMissing, epoch, now - epoch, previous}
            end
            return {0, redis.call('PTTL', KEYS[1])}
            """;

    /**
     * Returns the epoch: the server time in microseconds at which the first lock of this Redis
     * dataset (or cluster slot) was taken, creating it if missing. A new value means the data was
     * lost. KEYS: epoch.
     */
    static final String EPOCH = """
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              local t = redis.call('TIME')
              epoch = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
              redis.call('SET', KEYS[1], epoch)
            end
            return tonumber(epoch)
            """;

    /**
     * Extends the lease, and its holder marker, if still owned. KEYS: lock, holder marker. ARGV:
     * owner, lease ms, marker ttl ms. Returns 1 or 0.
     */
    static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('PEXPIRE', KEYS[2], ARGV[3])
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """;

    /**
     * Deletes the lease if still owned and wakes the key's waiters, and deletes this owner's holder
     * marker in any case: a release says the owner's write is settled. KEYS: lock, holder marker.
     * ARGV: owner, channel. Returns 1 if this owner's lease was deleted, 0 if it was no longer ours.
     */
    static final String RELEASE = """
            if redis.call('GET', KEYS[2]) == ARGV[1] then
              redis.call('DEL', KEYS[2])
            end
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
              redis.call('PUBLISH', ARGV[2], ARGV[1])
              return 1
            end
            return 0
            """;

    private RedisScripts() {
    }

    /** Returns the Redis key holding {@code key}'s lease (the owner token). */
    static String lockKey(LockKey key) {
        return "s3lp:lock:{" + key.redisTag() + "}";
    }

    /** Returns the Redis key of {@code key}'s fencing token counter. */
    static String tokenCounterKey(LockKey key) {
        return "s3lp:fence:{" + key.redisTag() + "}";
    }

    /** Returns the Redis key naming {@code key}'s current or last holder until that holder releases. */
    static String holderKey(LockKey key) {
        return "s3lp:holder:{" + key.redisTag() + "}";
    }

    /** Returns the pub/sub channel on which releases of {@code key} are announced. */
    static String channel(LockKey key) {
        return CHANNEL_PREFIX + "{" + key.redisTag() + "}";
    }
}
