package io.s3lockproxy.lock;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * Wakes local waiters when a lease they wait for is released, through one pub/sub connection.
 *
 * <p>The connection subscribes once to the pattern of all release channels and dispatches each
 * message to the waiters registered for its channel. One pattern instead of a SUBSCRIBE per waited
 * key means no subscribe/unsubscribe traffic per wait and no window between "subscribed" and
 * "retry": while {@link #listening()} is true every later release reaches a registered waiter, so
 * a waiter registers, then retries SET NX, and cannot miss the wake-up. The price is that every
 * instance receives every release message (one small message per write per instance). Keyspace
 * notifications would also report expiries, but need {@code notify-keyspace-events} set on the
 * server, which managed Redis services often forbid; expiries are covered by polling at the
 * holder's PTTL instead.
 *
 * <p>In a Redis Cluster the subscription goes to any master: classic PUBLISH is broadcast to every
 * node over the cluster bus, so it hears the releases of all slots. Sharded pub/sub (SPUBLISH) would
 * keep messages on their shard but needs a SSUBSCRIBE per waited key, on that key's node, and has no
 * patterns.
 *
 * <p>The connection runs on its own daemon thread and reconnects after a delay when Redis goes
 * away; when it is lost or (re)established every waiter is woken to retry, covering releases
 * missed while disconnected and letting waiters notice a dead Redis at once. Wake callbacks run on that thread and must only hand work to an executor.
 */
final class ReleaseSubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseSubscriber.class);

    private final UnifiedJedis client;
    private final Duration reconnectDelay;
    private final ConcurrentHashMap<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean listening;
    private volatile boolean closed;
    private volatile JedisPubSub current;

    ReleaseSubscriber(UnifiedJedis client, Duration reconnectDelay) {
        this.client = client;
        this.reconnectDelay = reconnectDelay;
        this.thread = new Thread(this::run, "s3lp-lock-subscriber");
        this.thread.setDaemon(true);
    }

    /** Starts the subscriber thread; returns this. */
    ReleaseSubscriber start() {
        thread.start();
        return this;
    }

    /** Returns whether the pattern subscription is currently confirmed by Redis. */
    boolean listening() {
        return listening;
    }

    /**
     * Registers {@code wake} for releases on {@code channel}; returns the action that unregisters it.
     */
    Runnable register(String channel, Runnable wake) {
        waiters.compute(channel, (c, set) -> {
            Set<Runnable> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(wake);
            return s;
        });
        return () -> waiters.computeIfPresent(channel, (c, set) -> {
            set.remove(wake);
            return set.isEmpty() ? null : set;
        });
    }

    /** Returns the number of channels with registered waiters (for tests: bounded memory). */
    int registeredChannels() {
        return waiters.size();
    }

    private void run() {
        while (!closed) {
            JedisPubSub pubSub = new Dispatcher();
            current = pubSub;
            try {
                client.psubscribe(pubSub, RedisScripts.CHANNEL_PATTERN);
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.debug("release subscription lost: {}", e.toString());
                }
            } finally {
                listening = false;
            }
            if (!closed) {
                // Waiters sleeping on a long PTTL retry now: against a dead Redis they fail fast
                // (fail mode) instead of at their next poll; against a live one they just retry.
                wakeAll();
                try {
                    Thread.sleep(reconnectDelay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void wakeAll() {
        waiters.values().forEach(set -> set.forEach(Runnable::run));
    }

    @Override
    public void close() {
        closed = true;
        JedisPubSub pubSub = current;
        try {
            if (pubSub != null && pubSub.isSubscribed()) {
                pubSub.punsubscribe();
            }
        } catch (RuntimeException e) {
            LOG.debug("unsubscribe on close failed: {}", e.toString());
        }
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Dispatcher extends JedisPubSub {
        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
            listening = true;
            wakeAll();
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            Set<Runnable> set = waiters.get(channel);
            if (set != null) {
                set.forEach(Runnable::run);
            }
        }
    }
}
