package io.s3lockproxy.lock;

import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Where the dataset epochs live (see {@link RedisScripts#ACQUIRE}): which epoch key an acquisition of
 * a lock key reads, and how many such keys ("scopes") there are.
 *
 * <p>An epoch vouches for the lock state stored beside it: when it is younger than this instance's
 * memory of it, that state was lost. A standalone or Sentinel-managed Redis keeps and loses its data
 * as a whole, so one epoch key serves every lock key. A Redis Cluster loses data per master and moves
 * it per slot (resharding), and one script may touch keys of one slot only: there is an epoch per
 * slot, in that slot ({@code s3lp:epoch:{tag}} with the slot's {@link ClusterSlotTags tag}), so it is
 * lost, failed over and migrated together with the lock keys it vouches for. One epoch per object key
 * would not do: it would be as new as the key's own counter, so a lost key could not be told from a
 * key never locked before.
 */
final class EpochKeys {

    private static final EpochKeys SINGLE = new EpochKeys(false);
    private static final EpochKeys PER_SLOT = new EpochKeys(true);

    private final boolean perSlot;

    private EpochKeys(boolean perSlot) {
        this.perSlot = perSlot;
    }

    /** One epoch for a whole standalone or Sentinel-managed Redis. */
    static EpochKeys single() {
        return SINGLE;
    }

    /** One epoch per hash slot of a Redis Cluster. */
    static EpochKeys perSlot() {
        return PER_SLOT;
    }

    /** Returns the number of epochs: 1, or one per cluster slot. */
    int scopes() {
        return perSlot ? ClusterSlotTags.SLOTS : 1;
    }

    /** Returns the scope of {@code key}: the cluster slot of its lock key, or 0. */
    int scopeOf(LockKey key) {
        return perSlot ? JedisClusterCRC16.getSlot(RedisScripts.lockKey(key)) : 0;
    }

    /** Returns the name of the epoch key of {@code scope}. */
    String name(int scope) {
        return perSlot ? "s3lp:epoch:{" + ClusterSlotTags.of(scope) + "}" : "s3lp:epoch";
    }

    /** Returns the name of the epoch key an acquisition of {@code key} reads. */
    String nameFor(LockKey key) {
        return name(scopeOf(key));
    }
}
