package io.s3lockproxy.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.s3lockproxy.lock.HeldKeys;
import io.s3lockproxy.lock.LockKey;
import java.util.List;

/**
 * What this instance's last write of a key left at the storage, so that the next write of the key
 * can be fenced without reading the object first (fenced mode's HEAD).
 *
 * <p>Every locked write updates its keys here before it releases them: a PutObject the upstream
 * answered 200 with an ETag records that ETag under its fencing token; any other end of a write
 * (another operation, a refusal, an unknown outcome) forgets the keys. The memory is used by the
 * next holder of the key only when it is certainly that holder's predecessor's:
 * <ul>
 *   <li>with locks shared through Redis, when the key's previous fencing token, as Redis counted it,
 *       is the recorded one — no holder in any instance took the key in between;</li>
 *   <li>with local locks only, always: every holder of the key is in this process and updated the
 *       memory before it released.</li>
 * </ul>
 * A guess that is wrong all the same (a writer that bypasses the proxy, a Redis failover that lost
 * an acquisition) can only make the storage refuse the write on its {@code If-Match}: answered 503
 * SlowDown, after which the key is forgotten and the retry reads the object.
 */
final class LastWrites {
    private static final int MAX_KEYS = 50_000;

    private record Written(long token, String etag) {
    }

    /** Upkeep (eviction) runs on the writing thread: Caffeine's default would wake a ForkJoinPool thread per write. */
    private final Cache<LockKey, Written> written = Caffeine.newBuilder().maximumSize(MAX_KEYS)
            .executor(Runnable::run).build();
    private final boolean locksShared;

    /** {@code locksShared}: whether locks are shared through Redis ({@code lock.redis} is set). */
    LastWrites(boolean locksShared) {
        this.locksShared = locksShared;
    }

    /**
     * Returns the state {@code key} certainly has unless a writer outside the proxy changed it, or
     * null when the object must be read: nothing recorded, or another holder may have written since.
     */
    ObjectState known(LockKey key, HeldKeys held) {
        Written last = written.getIfPresent(key);
        if (last == null) {
            return null;
        }
        if (locksShared && (!held.distributed() || held.previousToken(key) != last.token())) {
            return null;
        }
        return new ObjectState(true, last.etag());
    }

    /** A write of {@code key} under {@code held} left the object with {@code etag}. */
    void wrote(LockKey key, HeldKeys held, String etag) {
        written.put(key, new Written(held.fencingToken(key), etag));
    }

    /** Writes of {@code keys} ended in a way that says nothing certain about their objects. */
    void forget(List<LockKey> keys) {
        written.invalidateAll(keys);
    }
}
