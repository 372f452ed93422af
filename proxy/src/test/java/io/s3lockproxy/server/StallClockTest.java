package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.ClientLimits;
import io.s3lockproxy.server.StallClock.Stall;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stall rules on a clock moved by hand (milliseconds, as nanoseconds). */
class StallClockTest {
    private static final long MS = 1_000_000L;
    private static final ClientLimits LIMITS = new ClientLimits(Duration.ofMillis(2_000), Duration.ofMillis(7_000),
            Duration.ofMillis(3_000), 10);

    private final StallClock clock = new StallClock(LIMITS);

    @Test
    void aConnectionWithoutAByteOfItsNextRequestIsIdleAfterTheIdleTimeout() {
        clock.awaitHead(0);
        assertThat(clock.stallAt(6_999 * MS)).isEqualTo(Stall.NONE);
        assertThat(clock.remainingAt(6_999 * MS)).isEqualTo(MS);
        assertThat(clock.stallAt(7_000 * MS)).isEqualTo(Stall.IDLE);
    }

    @Test
    void aHeadTrickledByteByByteStallsTheHeadTimeoutAfterItsFirstByteHoweverOftenBytesCome() {
        clock.awaitHead(0);
        clock.bytesArrived(5_000 * MS);
        for (long t = 5_000; t < 7_000; t += 100) {
            clock.bytesArrived(t * MS);
            // Each partial read asks for the head again; its start stays.
            clock.awaitHead(t * MS);
            assertThat(clock.stallAt(t * MS)).isEqualTo(Stall.NONE);
        }
        assertThat(clock.stallAt(7_000 * MS)).isEqualTo(Stall.HEAD);
    }

    @Test
    void aWholeHeadEndsTheHeadDeadlineAndTheNextHeadStartsAfresh() {
        clock.awaitHead(0);
        clock.bytesArrived(1_000 * MS);
        clock.headArrived();
        assertThat(clock.awaiting()).isFalse();
        assertThat(clock.stallAt(60_000 * MS)).as("busy with the request: nothing is awaited").isEqualTo(Stall.NONE);
        clock.awaitHead(60_000 * MS);
        assertThat(clock.stallAt(62_000 * MS)).as("no byte of the next head yet: only idle").isEqualTo(Stall.NONE);
        assertThat(clock.stallAt(67_000 * MS)).isEqualTo(Stall.IDLE);
    }

    @Test
    void aBodyStallsWhenNoByteCameForTheBodyIdleTimeoutWhileTheProxyWaited() {
        clock.awaitBody(0);
        clock.bytesArrived(1_000 * MS);
        assertThat(clock.stallAt(3_999 * MS)).isEqualTo(Stall.NONE);
        assertThat(clock.stallAt(4_000 * MS)).isEqualTo(Stall.BODY);
    }

    @Test
    void aSlowButSteadyBodyNeverStalls() {
        // One small piece every 2.5 s against a 3 s body idle timeout, for ten minutes.
        for (long t = 0; t < 600_000; t += 2_500) {
            clock.awaitBody(t * MS);
            assertThat(clock.stallAt((t + 2_499) * MS)).isEqualTo(Stall.NONE);
            clock.bytesArrived((t + 2_500) * MS);
            clock.awaitNothing();
        }
    }

    @Test
    void timeTheProxySpendsNotReadingNeverCountsAgainstTheBody() {
        clock.awaitBody(0);
        clock.bytesArrived(500 * MS);
        clock.awaitNothing();
        // The upstream took 60 s to accept more bytes; the client was not asked meanwhile.
        assertThat(clock.stallAt(60_000 * MS)).isEqualTo(Stall.NONE);
        clock.awaitBody(60_000 * MS);
        assertThat(clock.stallAt(62_999 * MS)).isEqualTo(Stall.NONE);
        assertThat(clock.stallAt(63_000 * MS)).isEqualTo(Stall.BODY);
    }

    @Test
    void waitingForNothingHasNoDeadline() {
        assertThat(clock.awaiting()).isFalse();
        assertThat(clock.remainingAt(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(clock.stallAt(Long.MAX_VALUE / 2)).isEqualTo(Stall.NONE);
    }
}
