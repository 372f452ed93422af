package io.s3lockproxy.lock;

/**
 * The Redis names and Lua scripts of the lease protocol.
 *
 * <p>A key's lock, fence counter and release channel share the hash tag {@code {bucket/key}}, so
 * the lock and fence keys live in one cluster slot and one script may touch both. Braces inside
 * an object key do not break this: the tag runs from the first '{' to the next '}', and both key
 * names have the same brace-free prefix shape, so they always hash alike.
 */
final class RedisScripts {

    static final String CHANNEL_PREFIX = "s3lp:released:";
    static final String CHANNEL_PATTERN = CHANNEL_PREFIX + "*";

    /**
     * Takes the lease if free and issues the next fencing token; otherwise returns the holder's
     * remaining time to live.
     *
     * <p>KEYS: lock, fence. ARGV: owner token, lease ms, fence ttl ms. Returns {1, token} or
     * {0, pttl}. The token is max(INCR fence, Redis server time in microseconds): it keeps
     * increasing when the fence key is lost (FLUSHALL, restart without persistence, failover to a
     * replica that missed it, or its own expiry), as long as the server clock does not step back,
     * and it needs no fence key for idle objects, so the fence key can expire.
     */
    static final String ACQUIRE = """
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
              local fence = redis.call('INCR', KEYS[2])
              if fence < now then
                fence = now
                redis.call('SET', KEYS[2], string.format('%.0f', now))
              end
              redis.call('PEXPIRE', KEYS[2], ARGV[3])
              return {1, fence}
            end
            return {0, redis.call('PTTL', KEYS[1])}
            """;

    /** Extends the lease if still owned. KEYS: lock. ARGV: owner, lease ms. Returns 1 or 0. */
    static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """;

    /**
     * Deletes the lease if still owned and wakes the key's waiters. KEYS: lock. ARGV: owner,
     * channel. Returns 1 if this owner's lease was deleted, 0 if it was no longer ours.
     */
    static final String RELEASE = """
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

    /** Returns the Redis key of {@code key}'s fencing counter. */
    static String fenceKey(LockKey key) {
        return "s3lp:fence:{" + key.redisTag() + "}";
    }

    /** Returns the pub/sub channel on which releases of {@code key} are announced. */
    static String channel(LockKey key) {
        return CHANNEL_PREFIX + "{" + key.redisTag() + "}";
    }
}
