package io.s3lockproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    private static final Pattern COUNT = Pattern.compile("jvm_gc_collections_seconds_count\\{gc=\"([^\"]+)\"} (\\d+)");

    @Test
    void collectionsAreReadFromTheCollectorsAtScrapeTime() {
        ProxyMetrics metrics = new ProxyMetrics();
        long before = counted(metrics.scrape());
        System.gc();
        String scrape = metrics.scrape();
        long collections = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
        assertThat(counted(scrape)).isGreaterThan(before).isLessThanOrEqualTo(collections);
        assertThat(scrape).as("no meter fed by a notification after each collection")
                .doesNotContain("jvm_gc_pause").doesNotContain("jvm_gc_memory_allocated");
    }

    private static long counted(String scrape) {
        long n = 0;
        Matcher m = COUNT.matcher(scrape);
        while (m.find()) {
            n += Long.parseLong(m.group(2));
        }
        return n;
    }
}
