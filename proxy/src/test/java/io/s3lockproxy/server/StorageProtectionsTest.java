package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.s3lockproxy.config.PayloadForwarding;
import io.s3lockproxy.config.UpstreamConfig;
import io.s3lockproxy.server.FakeUpstream.Received;
import io.s3lockproxy.server.StorageProtection.Writes;
import io.s3lockproxy.upstream.OriginPool;
import io.s3lockproxy.upstream.Resigner;
import io.s3lockproxy.upstream.UpstreamCall;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a bucket is probed again: in the background after an hour (a minute when the last probe
 * learned nothing), before the next write after two hours.
 */
@Timeout(30)
class StorageProtectionsTest {
    private final AtomicLong nanos = new AtomicLong();
    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private FakeUpstream upstream;
    private StorageProtections protections;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeUpstream();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        UpstreamConfig config = new UpstreamConfig(URI.create(upstream.endpoint()), "us-east-1", "u", "s", true,
                PayloadForwarding.AUTO, Duration.ofSeconds(5), Duration.ofSeconds(5));
        UpstreamCall calls = new UpstreamCall(new Resigner(config), new OriginPool(config, null, group, NioSocketChannel.class));
        protections = new StorageProtections(calls, true, nanos::get);
    }

    @AfterEach
    void stop() throws Exception {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        upstream.close();
    }

    /** A probe that finds conditions ignored: If-Match on a missing key accepted, the object removed, the delete's If-Match as {@code deleteStatus}. */
    private void enqueueIgnoringProbe(int deleteStatus) {
        upstream.enqueueProbe("", FakeUpstream.ok());
        upstream.enqueueProbe("", FakeUpstream.status(204));
        upstream.enqueueProbe("-delete", FakeUpstream.status(deleteStatus));
    }

    private Future<StorageProtection> ask() throws Exception {
        return onLoop(() -> protections.of(loop, "bucket"));
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    private void takeProbe() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            Received r = upstream.takeProbe();
            assertThat(r).isNotNull();
            assertThat(r.requestLine()).contains("/bucket/.s3-lock-proxy/probe-");
        }
    }

    /** The bucket's first probe: conditions ignored, conditional deletes too. */
    private void learnThatDeletesAreIgnored() throws Exception {
        enqueueIgnoringProbe(204);
        assertThat(ask().get(5, TimeUnit.SECONDS).deletes()).isEqualTo(StorageProtection.Deletes.IGNORED);
        takeProbe();
    }

    @Test
    void anHourOnTheNextWriteGoesOnWithWhatIsKnownWhileTheBucketIsProbedAgainInTheBackground() throws Exception {
        enqueueIgnoringProbe(204);
        assertThat(ask().get(5, TimeUnit.SECONDS).deletes()).isEqualTo(StorageProtection.Deletes.IGNORED);
        takeProbe();

        nanos.addAndGet(Duration.ofMinutes(59).toNanos());
        assertThat(ask().getNow()).as("fresh: known at once").isNotNull();
        assertThat(upstream.pollProbe(200)).as("and not probed").isNull();

        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        Future<StorageProtection> stale = ask();
        assertThat(stale.isDone()).as("an hour old: the write does not wait").isTrue();
        assertThat(stale.getNow().deletes()).isEqualTo(StorageProtection.Deletes.IGNORED);
        enqueueIgnoringProbe(412);
        takeProbe();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (protections.snapshot().get("bucket").deletes() != StorageProtection.Deletes.ENFORCED
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(protections.snapshot().get("bucket").deletes()).as("what the background probe found")
                .isEqualTo(StorageProtection.Deletes.ENFORCED);
        assertThat(ask().getNow().deletes()).isEqualTo(StorageProtection.Deletes.ENFORCED);
        assertThat(upstream.pollProbe(200)).as("fresh again: no further probe").isNull();
    }

    @Test
    void twoHoursWithoutASuccessfulProbeAndTheNextWriteWaitsForOne() throws Exception {
        learnThatDeletesAreIgnored();

        nanos.addAndGet(Duration.ofHours(2).toNanos());
        Future<StorageProtection> expired = ask();
        assertThat(expired.isDone()).as("nothing known any more: the write waits").isFalse();
        enqueueIgnoringProbe(412);
        assertThat(expired.get(5, TimeUnit.SECONDS).deletes()).isEqualTo(StorageProtection.Deletes.ENFORCED);
        assertThat(expired.getNow().writes()).isEqualTo(Writes.NONE);
    }

    @Test
    void aBucketForgottenIsProbedBeforeItsNextWrite() throws Exception {
        learnThatDeletesAreIgnored();

        onLoop(() -> {
            protections.forget("bucket");
            return null;
        });
        Future<StorageProtection> forgotten = ask();
        assertThat(forgotten.isDone()).isFalse();
        enqueueIgnoringProbe(412);
        assertThat(forgotten.get(5, TimeUnit.SECONDS).deletes()).isEqualTo(StorageProtection.Deletes.ENFORCED);
    }

    private static FakeUpstream.Answer accessDenied() {
        return FakeUpstream.full(403, java.util.Map.of(), "<Error><Code>AccessDenied</Code></Error>".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
    }

    private void awaitDeletes(StorageProtection.Deletes expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && (protections.snapshot().get("bucket") == null
                || protections.snapshot().get("bucket").deletes() != expected)) {
            Thread.sleep(10);
        }
        assertThat(protections.snapshot().get("bucket")).isNotNull();
        assertThat(protections.snapshot().get("bucket").deletes()).isEqualTo(expected);
    }

    @Test
    void aProbeThatLearnsNothingLeavesTheBucketUnknownAndUnprobedForAMinuteThenItIsProbedInTheBackground() throws Exception {
        upstream.enqueueProbe("", accessDenied());                               // the identity may not write the probe's objects
        assertThat(ask().get(5, TimeUnit.SECONDS)).isEqualTo(StorageProtection.UNKNOWN);
        assertThat(upstream.takeProbe().requestLine()).contains("/bucket/.s3-lock-proxy/probe-");

        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(ask().getNow()).as("the next write does not wait, and is not fenced").isEqualTo(StorageProtection.UNKNOWN);
        assertThat(upstream.pollProbe(200)).as("nor probed again").isNull();
        assertThat(protections.snapshot()).as("nothing known to show").isEmpty();

        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(ask().getNow()).isEqualTo(StorageProtection.UNKNOWN);
        enqueueIgnoringProbe(412);
        takeProbe();
        awaitDeletes(StorageProtection.Deletes.ENFORCED);
    }

    @Test
    void aBackgroundProbeThatLearnsNothingKeepsWhatWasKnownAndIsTriedAgainAMinuteLater() throws Exception {
        learnThatDeletesAreIgnored();

        nanos.addAndGet(Duration.ofMinutes(61).toNanos());
        upstream.enqueueProbe("", accessDenied());
        assertThat(ask().getNow().deletes()).isEqualTo(StorageProtection.Deletes.IGNORED);
        assertThat(upstream.takeProbe().requestLine()).contains("/bucket/.s3-lock-proxy/probe-");
        assertThat(upstream.pollProbe(200)).isNull();
        assertThat(ask().getNow().deletes()).as("still what was known").isEqualTo(StorageProtection.Deletes.IGNORED);
        assertThat(upstream.pollProbe(200)).as("not tried again by every write").isNull();

        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        ask();
        enqueueIgnoringProbe(412);
        takeProbe();
        awaitDeletes(StorageProtection.Deletes.ENFORCED);
    }

    private static FakeUpstream.Answer versioned(int status, String versionId) {
        return FakeUpstream.full(status, java.util.Map.of("x-amz-version-id", versionId), new byte[0]);
    }

    /**
     * A versioned probe that finds conditions ignored; object lock retains its object's version
     * ({@code retained}: deleting it is refused, with and without the governance bypass), or not.
     */
    private void enqueueVersionedProbe(boolean retained) {
        upstream.enqueueProbe("", versioned(200, "v1"));                 // If-Match PUT on a missing key accepted
        upstream.enqueueProbe("", versioned(204, "m1"));                 // the object deleted: a delete marker
        upstream.enqueueProbe("-delete", versioned(204, "m2"));          // conditional deletes ignored: a marker
        if (retained) {
            upstream.enqueueProbe("", accessDenied());                   // v1 removed: retained
            upstream.enqueueProbe("", accessDenied());                   // and with the bypass: still retained
        } else {
            upstream.enqueueProbe("", FakeUpstream.status(204));         // v1 removed
            upstream.enqueueProbe("", FakeUpstream.status(204));         // m1
        }
        upstream.enqueueProbe("-delete", FakeUpstream.status(204));      // m2
    }

    @Test
    void aBucketWhereObjectLockRetainsTheProbesVersionsIsNotProbedAgainUntilItIsForgotten() throws Exception {
        enqueueVersionedProbe(true);
        assertThat(ask().get(5, TimeUnit.SECONDS).deletes()).isEqualTo(StorageProtection.Deletes.IGNORED);
        for (int i = 0; i < 6; i++) {
            assertThat(upstream.takeProbe()).as("probe request %d", i + 1).isNotNull();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!onLoop(() -> protections.keptWithoutProbing("bucket")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(onLoop(() -> protections.keptWithoutProbing("bucket"))).as("once the probe's clean-up is done").isTrue();

        nanos.addAndGet(Duration.ofMinutes(61).toNanos());
        assertThat(ask().getNow().deletes()).isEqualTo(StorageProtection.Deletes.IGNORED);
        assertThat(upstream.pollProbe(300)).as("an hour on: not probed again, which would leave more versions").isNull();
        nanos.addAndGet(Duration.ofDays(3).toNanos());
        assertThat(ask().getNow()).as("nor forgotten after two hours").isNotNull();
        assertThat(upstream.pollProbe(300)).isNull();

        onLoop(() -> {
            protections.forget("bucket");
            return null;
        });
        Future<StorageProtection> forgotten = ask();
        assertThat(forgotten.isDone()).as("a change through the proxy: probed again").isFalse();
        enqueueVersionedProbe(false);
        assertThat(forgotten.get(5, TimeUnit.SECONDS).deletes()).isEqualTo(StorageProtection.Deletes.IGNORED);
        for (int i = 0; i < 6; i++) {
            assertThat(upstream.takeProbe()).as("probe request %d", i + 1).isNotNull();
        }
        Thread.sleep(200);
        assertThat(onLoop(() -> protections.keptWithoutProbing("bucket"))).isFalse();
        nanos.addAndGet(Duration.ofMinutes(61).toNanos());
        ask();
        assertThat(upstream.takeProbe()).as("nothing retained this time: probed again after an hour").isNotNull();
    }
}
