package io.s3lockproxy.lock;

import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * For each of a Redis Cluster's 16,384 hash slots, a short hash tag that lands in it: a key named
 * {@code …{tag}…} lives in that slot.
 *
 * <p>The tag of a slot is the first of the numbers 0, 1, 2, … written in base 36 whose CRC16 falls
 * into the slot. The search is deterministic, so every instance (and every version that keeps this
 * rule) derives the same names; about 88,000 candidates fill the table, computed once, on first use.
 */
final class ClusterSlotTags {

    /** The number of hash slots of every Redis Cluster. */
    static final int SLOTS = 16_384;

    private static final class Table {
        private static final String[] TAGS = compute();
    }

    private ClusterSlotTags() {
    }

    /** Returns the tag whose keys hash to {@code slot}. */
    static String of(int slot) {
        return Table.TAGS[slot];
    }

    private static String[] compute() {
        String[] tags = new String[SLOTS];
        int missing = SLOTS;
        for (long n = 0; missing > 0; n++) {
            String candidate = Long.toString(n, 36);
            int slot = JedisClusterCRC16.getSlot(candidate);
            if (tags[slot] == null) {
                tags[slot] = candidate;
                missing--;
            }
        }
        return tags;
    }
}
