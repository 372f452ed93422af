package io.s3lockproxy.server;

import io.s3lockproxy.config.ClientLimits;

/**
 * Decides when one client connection has stalled, on the connection's monotonic clock (nanoseconds
 * passed in by the caller). Only time in which the proxy waits for the client counts: while it
 * locks, talks to the upstream or waits for the upstream to take more body bytes, nothing stalls.
 *
 * <ul>
 *   <li>{@link Stall#IDLE}: no byte of a next request within {@code idleTimeout} — the connection just closes.</li>
 *   <li>{@link Stall#HEAD}: a request head that began but is not whole {@code headTimeout} after its first byte.</li>
 *   <li>{@link Stall#BODY}: no body byte for {@code bodyIdleTimeout} while the proxy waits for the body.</li>
 * </ul>
 *
 * Not thread-safe: used on the connection's event loop.
 */
final class StallClock {

    /** What a connection stalled in. */
    enum Stall { NONE, IDLE, HEAD, BODY }

    private enum Awaiting { NOTHING, HEAD, BODY }

    private final long idleNanos;
    private final long headNanos;
    private final long bodyIdleNanos;
    private Awaiting awaiting = Awaiting.NOTHING;
    private long awaitingSince;
    private long headBegan = -1;
    private long lastByte;

    StallClock(ClientLimits limits) {
        this.idleNanos = limits.idleTimeout().toNanos();
        this.headNanos = limits.headerTimeout().toNanos();
        this.bodyIdleNanos = limits.bodyIdleTimeout().toNanos();
    }

    /** The proxy waits for the next request head; a head already under way keeps its start. */
    void awaitHead(long now) {
        if (awaiting != Awaiting.HEAD) {
            awaiting = Awaiting.HEAD;
            awaitingSince = now;
            headBegan = -1;
        }
    }

    /** The proxy waits for more of the request body. */
    void awaitBody(long now) {
        awaiting = Awaiting.BODY;
        awaitingSince = now;
    }

    /** The proxy waits for nothing from the client (a message arrived, or it is busy elsewhere). */
    void awaitNothing() {
        if (awaiting != Awaiting.HEAD) {
            awaiting = Awaiting.NOTHING;
        }
    }

    /** A whole request head arrived. */
    void headArrived() {
        awaiting = Awaiting.NOTHING;
    }

    /** The connection is closing: nothing is awaited any more. */
    void stop() {
        awaiting = Awaiting.NOTHING;
    }

    /** Bytes arrived from the client. */
    void bytesArrived(long now) {
        lastByte = now;
        if (awaiting == Awaiting.HEAD && headBegan < 0) {
            headBegan = now;
        }
    }

    /** Returns whether the proxy waits for the client at all. */
    boolean awaiting() {
        return awaiting != Awaiting.NOTHING;
    }

    /** Returns the stall at {@code now}, or {@link Stall#NONE}. */
    Stall stallAt(long now) {
        return remainingAt(now) > 0 ? Stall.NONE : switch (awaiting) {
            case HEAD -> headBegan < 0 ? Stall.IDLE : Stall.HEAD;
            case BODY -> Stall.BODY;
            case NOTHING -> Stall.NONE;
        };
    }

    /** Returns the nanoseconds left at {@code now} before the connection stalls; {@code Long.MAX_VALUE} when nothing is awaited. */
    long remainingAt(long now) {
        return switch (awaiting) {
            case NOTHING -> Long.MAX_VALUE;
            case HEAD -> headBegan < 0 ? awaitingSince + idleNanos - now : headBegan + headNanos - now;
            case BODY -> Math.max(awaitingSince, lastByte) + bodyIdleNanos - now;
        };
    }
}
