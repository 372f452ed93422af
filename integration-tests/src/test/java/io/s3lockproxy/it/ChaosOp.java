package io.s3lockproxy.it;

/**
 * One read-modify-write of the counter: which instance it went through, the counter value it read
 * (its parent: {@code parentOp} at count {@code parentCount}), how it was sent, and what its client
 * saw ({@code status} -1: no answer).
 */
record ChaosOp(String id, int instance, Kind kind, String parentOp, long parentCount, int status,
               ChaosOutcome outcome) {

    enum Kind {
        /** SDK PutObject. */
        SDK,
        /** Raw socket, Expect: 100-continue, body in slow pieces after 100 Continue. */
        PACED,
        /** Raw socket, whole body sent, closed without reading the answer (nemesis). */
        DROPPED,
        /** Raw socket, part of the body, a stall, then closed (nemesis). */
        STALLED
    }

    /** An op whose client gave up itself: its outcome is unknown whatever happened. */
    static ChaosOp abandoned(String id, int instance, Kind kind, ChaosCounter parent) {
        return new ChaosOp(id, instance, kind, parent.op(), parent.count(), -1, ChaosOutcome.UNKNOWN);
    }

    static ChaosOp answered(String id, int instance, Kind kind, ChaosCounter parent, int status) {
        return new ChaosOp(id, instance, kind, parent.op(), parent.count(), status, ChaosOutcome.of(status));
    }

    @Override
    public String toString() {
        return id + " (" + kind + " via instance " + instance + ", read " + parentOp + " at count " + parentCount
                + ", status " + status + ", " + outcome + ")";
    }
}
