package io.s3lockproxy.lock;

import static io.s3lockproxy.lock.LockFixtures.acquire;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A redis-sentinel:// URI finds the master through a real Sentinel and locks there. */
@Timeout(60)
class RedisSentinelTest {

    @Test
    void aSentinelUriLocksOnTheMasterTheSentinelNames() throws Exception {
        try (RedisServerProcess master = RedisServerProcess.start();
             RedisServerProcess sentinel = RedisServerProcess.startSentinel(master, "locks");
             LockFixtures fixtures = new LockFixtures()) {
            URI uri = URI.create("redis-sentinel://127.0.0.1:" + sentinel.port() + "/locks");
            TwoLevelLockService lock = fixtures.lock(uri, Duration.ofSeconds(5), Duration.ofSeconds(5));
            LockKey key = new LockKey("b", "via-sentinel");
            HeldKeys handle = acquire(lock, key);
            assertThat(handle.distributed()).isTrue();
            assertThat(master.command("EXISTS " + RedisScripts.lockKey(key))).isEqualTo(":1");
            handle.release();
            assertThat(LockFixtures.eventually(Duration.ofSeconds(5),
                    () -> ":0".equals(master.command("EXISTS " + RedisScripts.lockKey(key))))).isTrue();
        }
    }
}
