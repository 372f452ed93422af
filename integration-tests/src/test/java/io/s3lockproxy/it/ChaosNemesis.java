package io.s3lockproxy.it;

import io.s3lockproxy.lock.RedisServerProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Injects one fault at a time at random moments until the deadline, healing each before the next:
 * paused and killed instances, a killed, paused or flushed Redis, a stalled or dropped network to
 * the backend, clients that walk away. Every fault draws
 * its random parameters before it looks at the cluster, so a seed repeats the schedule of faults
 * (which one, when, for how long; not what it meets). The
 * client faults are ops of their own, recorded in the history with an unknown outcome. Its
 * accessors are for after its thread has ended.
 */
final class ChaosNemesis implements Runnable {
    private static final long HOLDER_SEARCH_MS = 1000;
    /** No fault starts this close to the deadline: the last one would run on long after the load. */
    private static final long QUIET_END_MS = 2000;
    /** A walk-away client tries this many fresh read-modify-writes to get past 412 to 100 Continue. */
    private static final int WALK_AWAY_ATTEMPTS = 5;

    private final ChaosTarget target;
    private final ChaosHistory history;
    private final Random random;
    private final long deadlineNanos;
    private final long leaseMs;
    private final List<ChaosFault> faults = new ArrayList<>();
    private final Map<ChaosFault, Integer> injected = new EnumMap<>(ChaosFault.class);
    private final List<String> events = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private Throwable failure;
    private int sequence;

    /** @param enabled the faults to choose from; those that need Redis are left out where there is none */
    ChaosNemesis(ChaosTarget target, ChaosHistory history, Set<ChaosFault> enabled, long seed, long deadlineNanos,
                 long leaseMs) {
        this.target = target;
        this.history = history;
        this.random = new Random(seed);
        this.deadlineNanos = deadlineNanos;
        this.leaseMs = leaseMs;
        for (ChaosFault fault : ChaosFault.values()) {
            if (enabled.contains(fault) && (!fault.needsRedis || redis() != null)) {
                faults.add(fault);
            }
        }
    }

    /** How many faults of each kind were injected. */
    Map<ChaosFault, Integer> injected() {
        return Collections.unmodifiableMap(injected);
    }

    /** One line per fault, with its time since the start. */
    List<String> events() {
        return Collections.unmodifiableList(events);
    }

    /** What stopped the nemesis early (a fault it could not inject or heal), or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            while (!faults.isEmpty()) {
                Thread.sleep(500 + random.nextInt(1500));
                if (System.nanoTime() >= deadlineNanos - TimeUnit.MILLISECONDS.toNanos(QUIET_END_MS)) {
                    return;
                }
                inject(faults.get(random.nextInt(faults.size())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        } finally {
            healAll();
        }
    }

    private void inject(ChaosFault fault) throws Exception {
        boolean done = switch (fault) {
            case PAUSE_HOLDER -> pauseHolder();
            case KILL_PROXY -> killProxy();
            case KILL_REDIS -> killRedis();
            case PAUSE_REDIS -> pauseRedis();
            case FLUSH_REDIS -> flushRedis();
            case STALL_UPSTREAM -> stallUpstream();
            case DROP_UPSTREAM -> dropUpstream();
            case DROP_CLIENT -> walkingAwayClient(ChaosOp.Kind.DROPPED);
            case STALL_CLIENT -> walkingAwayClient(ChaosOp.Kind.STALLED);
        };
        if (done) {
            injected.merge(fault, 1, Integer::sum);
        }
    }

    private boolean pauseHolder() throws InterruptedException {
        int anyInstance = random.nextInt(target.instances());
        long pauseMs = (long) (leaseMs * (1.5 + 1.5 * random.nextDouble()));
        Optional<Integer> holder = awaitHolder();
        int instance = holder.orElse(anyInstance);
        ProxyProcess proxy = target.proxy(instance);
        proxy.pause();
        event("SIGSTOP instance %d (%s) for %d ms", instance, holder.isPresent() ? "holder" : "no holder found", pauseMs);
        try {
            Thread.sleep(pauseMs);
        } finally {
            proxy.resume();
        }
        return true;
    }

    private boolean killProxy() throws InterruptedException {
        int anyInstance = random.nextInt(target.instances());
        long downMs = random.nextInt(500);
        Optional<Integer> holder = awaitHolder();
        int instance = holder.orElse(anyInstance);
        ProxyProcess proxy = target.proxy(instance);
        proxy.kill9();
        event("kill -9 instance %d (%s)", instance, holder.isPresent() ? "holder" : "no holder found");
        Thread.sleep(downMs);
        long start = System.nanoTime();
        proxy.restart();
        event("instance %d restarted in %d ms", instance, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return true;
    }

    private boolean killRedis() throws InterruptedException, IOException {
        long downMs = 200 + random.nextInt(1300);
        RedisServerProcess redis = redis();
        redis.kill();
        event("kill -9 redis-server, down for %d ms", downMs);
        Thread.sleep(downMs);
        redis.restart();
        return true;
    }

    private boolean pauseRedis() throws InterruptedException, IOException {
        long pauseMs = (long) (leaseMs * (1 + 2 * random.nextDouble()));
        Optional<Integer> holder = awaitHolder();
        RedisServerProcess redis = redis();
        redis.pause();
        event("SIGSTOP redis-server (%s) for %d ms", holderText(holder), pauseMs);
        try {
            Thread.sleep(pauseMs);
        } finally {
            redis.resume();
        }
        return true;
    }

    private boolean flushRedis() throws InterruptedException {
        Optional<Integer> holder = awaitHolder();
        String reply = redis().command("FLUSHALL");
        event("FLUSHALL (%s): %s", holder.map(i -> "instance " + i + " holding").orElse("no holder found"), reply);
        return "+OK".equals(reply);
    }

    private boolean stallUpstream() throws InterruptedException {
        long stallMs = 500 + random.nextInt(2000);
        Optional<Integer> holder = awaitHolder();
        target.cluster.recorder.stall(Duration.ofMillis(stallMs));
        event("network to the backend stalled for %d ms (%s)", stallMs, holderText(holder));
        Thread.sleep(stallMs);
        return true;
    }

    private boolean dropUpstream() throws InterruptedException {
        long delayMs = random.nextInt(50);
        Optional<Integer> holder = awaitHolder();
        Thread.sleep(delayMs);
        int dropped = target.cluster.recorder.dropConnections();
        event("%d connections to the backend dropped (%s)", dropped, holderText(holder));
        return true;
    }

    private static String holderText(Optional<Integer> holder) {
        return holder.map(i -> "instance " + i + " holding").orElse("no holder found");
    }

    /**
     * A read-modify-write whose client walks away once the proxy said 100 Continue (the lock is
     * held): the whole body then close ({@code DROPPED}), or a third of it, a 2–4 s stall, then
     * close ({@code STALLED}). Attempts refused before 100 Continue are ops of their own, retried
     * with a fresh read; false when no attempt got that far.
     */
    private boolean walkingAwayClient(ChaosOp.Kind kind) throws InterruptedException {
        int instance = random.nextInt(target.instances());
        long stallMs = 2000 + random.nextInt(2000);
        for (int attempt = 0; attempt < WALK_AWAY_ATTEMPTS; attempt++) {
            if (walkAwayAttempt(kind, instance, stallMs)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private boolean walkAwayAttempt(ChaosOp.Kind kind, int instance, long stallMs) throws InterruptedException {
        Optional<ChaosTarget.Read> read = target.read(instance);
        if (read.isEmpty()) {
            return false;
        }
        String id = "n-" + ++sequence;
        ChaosCounter parent = read.get().counter();
        Optional<SlowPut> opened = target.openPut(instance, id, read.get());
        if (opened.isEmpty()) {
            return false;
        }
        try (SlowPut put = opened.get()) {
            int first;
            try {
                first = put.awaitContinue();
            } catch (IOException e) {
                first = -1;
            }
            if (first != 100) {
                history.record(ChaosOp.answered(id, instance, kind, parent, first));
                return false;
            }
            walkAway(put, kind, id, instance, stallMs);
        }
        history.record(ChaosOp.abandoned(id, instance, kind, parent));
        return true;
    }

    private void walkAway(SlowPut put, ChaosOp.Kind kind, String id, int instance, long stallMs)
            throws InterruptedException {
        try {
            if (kind == ChaosOp.Kind.DROPPED) {
                event("%s: whole body through instance %d, closed unread", id, instance);
                put.sendRest();
            } else {
                event("%s: a third of the body through instance %d, stalled %d ms, closed", id, instance, stallMs);
                put.send(put.remaining() / 3);
                Thread.sleep(stallMs);
            }
        } catch (IOException e) {
            // the proxy gave up on it first
        }
    }

    /** The counter's lock holder, polled for up to a second (the key is idle between writes). */
    private Optional<Integer> awaitHolder() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLDER_SEARCH_MS);
        while (System.nanoTime() < deadline) {
            Optional<Integer> holder = target.holder();
            if (holder.isPresent()) {
                return holder;
            }
            Thread.sleep(10);
        }
        return Optional.empty();
    }

    /** Every instance running and not paused, Redis answering: whatever an interrupted fault left behind. */
    private void healAll() {
        for (int i = 0; i < target.instances(); i++) {
            ProxyProcess proxy = target.proxy(i);
            try {
                if (!proxy.isAlive()) {
                    proxy.restart();
                    event("heal: instance %d restarted", i);
                } else {
                    proxy.resume(); // harmless on a running process
                }
            } catch (RuntimeException e) {
                recordFailure(e);
            }
        }
        RedisServerProcess redis = redis();
        if (redis != null && redis.alive()) {
            try {
                redis.resume(); // harmless on a running process
            } catch (IOException | InterruptedException | RuntimeException e) {
                recordFailure(e);
            }
        }
        if (redis != null && !"+PONG".equals(redis.command("PING"))) {
            try {
                redis.restart();
                event("heal: redis-server restarted");
            } catch (IOException | RuntimeException e) {
                recordFailure(e);
            }
        }
    }

    private void recordFailure(Throwable t) {
        if (failure == null) {
            failure = t;
        } else {
            failure.addSuppressed(t);
        }
    }

    private RedisServerProcess redis() {
        return target.cluster.redis;
    }

    private void event(String format, Object... args) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        events.add(String.format("+%5d ms  %s", ms, String.format(format, args)));
    }
}
