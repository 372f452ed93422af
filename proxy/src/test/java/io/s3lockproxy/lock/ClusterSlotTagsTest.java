package io.s3lockproxy.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

class ClusterSlotTagsTest {

    @Test
    void everySlotHasAShortBraceFreeTagThatHashesToIt() {
        Set<String> tags = new HashSet<>();
        for (int slot = 0; slot < ClusterSlotTags.SLOTS; slot++) {
            String tag = ClusterSlotTags.of(slot);
            assertThat(tag).hasSizeLessThanOrEqualTo(4).doesNotContain("{", "}");
            assertThat(JedisClusterCRC16.getSlot("s3lp:epoch:{" + tag + "}")).isEqualTo(slot);
            tags.add(tag);
        }
        assertThat(tags).hasSize(ClusterSlotTags.SLOTS);
    }

    @Test
    void theTagsAreTheOnesEveryInstanceDerives() {
        // The epoch key names are shared by all instances: a change of the search renames them.
        assertThat(ClusterSlotTags.of(0)).isEqualTo("1bz");
        assertThat(ClusterSlotTags.of(1)).isEqualTo("emj");
        assertThat(ClusterSlotTags.of(16_383)).isEqualTo("hia");
        assertThat(EpochKeys.perSlot().name(0)).isEqualTo("s3lp:epoch:{1bz}");
        assertThat(EpochKeys.single().name(0)).isEqualTo("s3lp:epoch");
    }
}
