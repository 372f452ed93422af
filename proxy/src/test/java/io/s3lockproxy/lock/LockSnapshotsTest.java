package io.s3lockproxy.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.LockConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The introspection API behind {@code /locks}. */
class LockSnapshotsTest {

    @Test
    void heldKeysShowTheirHolderTokenAndWaitersUntilReleased() throws Exception {
        LockConfig config = new LockConfig(null, Duration.ofSeconds(30), Duration.ofSeconds(10),
                LockConfig.Mode.SERIALIZE, LockConfig.OnRedisDown.FAIL);
        try (TwoLevelLockService lock = LockServices.create(config, new LockMetrics(), Ticker.system(), null)) {
            LockKey a = new LockKey("b", "a");
            HeldKeys first = lock.acquire(List.of(a), "REQ1").get(5, TimeUnit.SECONDS);
            CompletableFuture<HeldKeys> second = lock.acquire(List.of(a), "REQ2");
            assertThat(lock.held()).singleElement().satisfies(h -> {
                assertThat(h.bucket()).isEqualTo("b");
                assertThat(h.key()).isEqualTo("a");
                assertThat(h.requestId()).isEqualTo("REQ1");
                assertThat(h.instanceId()).isEqualTo(lock.instanceId());
                assertThat(h.fencingToken()).isEqualTo(first.fencingToken(a));
                assertThat(h.waiters()).isEqualTo(1);
                assertThat(h.distributed()).isFalse();
            });
            first.release();
            HeldKeys next = second.get(5, TimeUnit.SECONDS);
            assertThat(lock.held()).singleElement().satisfies(h -> {
                assertThat(h.requestId()).isEqualTo("REQ2");
                assertThat(h.waiters()).isZero();
            });
            next.release();
            assertThat(lock.held()).isEmpty();
            assertThat(lock.redisProblem()).isNull();
        }
    }

    @Test
    void closeReleasesHandlesStillHeld() throws Exception {
        LockConfig config = new LockConfig(null, Duration.ofSeconds(30), Duration.ofSeconds(10),
                LockConfig.Mode.SERIALIZE, LockConfig.OnRedisDown.FAIL);
        LockMetrics metrics = new LockMetrics();
        TwoLevelLockService lock = LockServices.create(config, metrics, Ticker.system(), null);
        lock.acquire(List.of(new LockKey("b", "x"), new LockKey("b", "y")), "R").get(5, TimeUnit.SECONDS);
        assertThat(metrics.heldLocks()).isEqualTo(2);
        lock.close();
        assertThat(lock.held()).isEmpty();
        assertThat(metrics.heldLocks()).isZero();
    }
}
