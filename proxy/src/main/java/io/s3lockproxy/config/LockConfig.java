package io.s3lockproxy.config;

import java.net.URI;
import java.time.Duration;

/**
 * Write serialization settings.
 *
 * @param redis        the shared Redis, or null for local locks only
 * @param lease        how long a Redis lease lives without renewal
 * @param maxWait       how long a writer may queue before it gets 503 SlowDown
 * @param mode         lock only, or lock plus storage-side conditional writes
 * @param onRedisDown  what writes do while Redis cannot be reached
 * @param commitMargin how long every lease of a write must still be certainly held, by this
 *                     process's own clock, when the end of its body goes upstream
 * @param settle       how long a key stays locked after a write whose outcome is unknown, and
 *                     how long a writer waits after taking over a lease that expired instead of
 *                     being released, so that a late commit lands or fails before the next write
 * @param maxWaitersPerKey how many writers of one key may queue in this process behind its holder;
 *                     any more get 503 SlowDown at once
 */
public record LockConfig(URI redis, Duration lease, Duration maxWait, Mode mode, OnRedisDown onRedisDown,
                         Duration commitMargin, Duration settle, int maxWaitersPerKey) {

    /** The default bound on the writers queued for one key in one process. */
    public static final int DEFAULT_MAX_WAITERS_PER_KEY = 256;

    /** Settings with the default bound on waiters per key. */
    public LockConfig(URI redis, Duration lease, Duration maxWait, Mode mode, OnRedisDown onRedisDown,
                      Duration commitMargin, Duration settle) {
        this(redis, lease, maxWait, mode, onRedisDown, commitMargin, settle, DEFAULT_MAX_WAITERS_PER_KEY);
    }

    /** Settings with the default commit margin (a quarter of the lease) and settle period (one lease). */
    public LockConfig(URI redis, Duration lease, Duration maxWait, Mode mode, OnRedisDown onRedisDown) {
        this(redis, lease, maxWait, mode, onRedisDown, defaultCommitMargin(lease), lease);
    }

    /** Returns the default commit margin for {@code lease}: a quarter of it. */
    public static Duration defaultCommitMargin(Duration lease) {
        return lease.dividedBy(4);
    }

    /** How a held lock is enforced. */
    public enum Mode { SERIALIZE, FENCED }

    /** What writes do while the configured Redis cannot be reached. */
    public enum OnRedisDown { FAIL, CONDITIONAL }

    /** Returns the settings with the Redis URI's user info (it may hold a password) redacted. */
    @Override
    public String toString() {
        return "LockConfig[redis=" + redacted(redis) + ", lease=" + lease + ", maxWait=" + maxWait
                + ", mode=" + mode + ", onRedisDown=" + onRedisDown + ", commitMargin=" + commitMargin
                + ", settle=" + settle + ", maxWaitersPerKey=" + maxWaitersPerKey + "]";
    }

    private static String redacted(URI uri) {
        if (uri == null || uri.getRawUserInfo() == null) {
            return String.valueOf(uri);
        }
        return uri.getScheme() + "://<redacted>@" + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1)
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
