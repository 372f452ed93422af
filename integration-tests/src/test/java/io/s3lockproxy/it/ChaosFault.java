package io.s3lockproxy.it;

/** The faults the chaos nemesis injects; each is healed before the next one starts. */
enum ChaosFault {
    /** SIGSTOP of the instance holding the counter's lock for 1.5–3 leases, then SIGCONT. */
    PAUSE_HOLDER("pause", false),
    /** kill -9 of an instance (the holder when one is found), restarted on the same ports. */
    KILL_PROXY("killProxy", false),
    /** kill -9 of redis-server, restarted empty on the same port after 0.2–1.5 s. */
    KILL_REDIS("killRedis", true),
    /** SIGSTOP of redis-server for 1–3 leases, a lease held when one is found, then SIGCONT: a stalled Redis. */
    PAUSE_REDIS("pauseRedis", true),
    /** FLUSHALL while a lease is held. */
    FLUSH_REDIS("flushall", true),
    /** No byte between the instances and the backend for 0.5–2.5 s, a lease held when one is found: a stalled network. */
    STALL_UPSTREAM("stallUpstream", false),
    /** Every connection between the instances and the backend closed at once, a lease held when one is found. */
    DROP_UPSTREAM("dropUpstream", false),
    /** A writer that sends its whole body, then closes without reading the answer. */
    DROP_CLIENT("dropClient", false),
    /** A writer that sends part of its body, stalls for 2–4 s, then closes. */
    STALL_CLIENT("stallClient", false);

    final String label;
    final boolean needsRedis;

    ChaosFault(String label, boolean needsRedis) {
        this.label = label;
        this.needsRedis = needsRedis;
    }
}
