package io.s3lockproxy.lock;

import static io.s3lockproxy.lock.LockFixtures.acquire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The facade without Redis: local exclusion, local fencing, release-once, all-or-nothing. */
@Timeout(60)
class TwoLevelLockServiceLocalTest {

    private static final LockKey A = new LockKey("b", "a");
    private static final LockKey B = new LockKey("b", "b");

    private final LockFixtures fixtures = new LockFixtures();
    private final LockMetrics metrics = new LockMetrics();
    private final TwoLevelLockService lock = fixtures.lock(null, Duration.ofSeconds(30), Duration.ofMillis(300),
            io.s3lockproxy.config.LockConfig.OnRedisDown.FAIL, metrics);

    @AfterEach
    void close() {
        fixtures.close();
    }

    @Test
    void uncontendedLocalAcquisitionIsCompleteOnReturnAndNotDistributed() throws Exception {
        CompletableFuture<HeldKeys> future = lock.acquire(List.of(A), "r1");
        assertThat(future).isDone();
        HeldKeys handle = future.get();
        assertThat(handle.distributed()).isFalse();
        assertThat(handle.isLost()).isFalse();
        handle.release();
        LockFixtures.assertIdle(lock);
    }

    @Test
    void localFencingTokensIncreaseStrictly() throws Exception {
        long previous = 0;
        for (int i = 0; i < 1000; i++) {
            HeldKeys handle = acquire(lock, A);
            long token = handle.fencingToken(A);
            assertThat(token).isGreaterThan(previous);
            previous = token;
            handle.release();
        }
        assertThatThrownBy(() -> acquire(lock, A).fencingToken(B)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void releasingTwiceThrows() throws Exception {
        HeldKeys handle = acquire(lock, A, B);
        handle.release();
        assertThatThrownBy(handle::release).isInstanceOf(IllegalStateException.class);
        assertThat(metrics.releases()).isEqualTo(1);
    }

    @Test
    void duplicateKeysAreLockedOnce() throws Exception {
        HeldKeys handle = lock.acquire(List.of(B, A, B, A), "dup").get(5, TimeUnit.SECONDS);
        assertThat(metrics.heldLocks()).isEqualTo(2);
        handle.release();
        assertThat(metrics.heldLocks()).isZero();
    }

    @Test
    void failedMultiKeyAcquisitionReleasesWhatItTook() throws Exception {
        HeldKeys holderOfB = acquire(lock, B);
        CompletableFuture<HeldKeys> both = lock.acquire(List.of(A, B), "both");
        assertThatThrownBy(() -> both.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LockTimeoutException.class);
        // A was taken first and must be free again.
        assertThat(lock.acquire(List.of(A), "a")).isDone();
        assertThat(metrics.timeouts()).isEqualTo(1);
        assertThat(metrics.waiters()).isZero();
        holderOfB.release();
    }

    @Test
    void emptyKeyListIsRejected() {
        assertThatThrownBy(() -> lock.acquire(List.of(), "none")).isInstanceOf(IllegalArgumentException.class);
    }
}
