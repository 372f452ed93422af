package io.s3lockproxy.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisConnectionException;

class RecentlyUsedConnectionsTest {
    private RedisServerProcess redis;
    private RecentlyUsedConnections factory;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerProcess.start();
        factory = new RecentlyUsedConnections(new HostAndPort("127.0.0.1", redis.port()),
                DefaultJedisClientConfig.builder().timeoutMillis(2_000).build());
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    @Test
    void aConnectionReturnedMomentsAgoIsLentWithoutAPingAndOneIdleLongerIsPinged() throws Exception {
        PooledObject<Connection> pooled = factory.makeObject();
        try {
            long before = redis.commandCalls("ping");
            assertThat(factory.validateObject(idleFor(pooled, Duration.ofMillis(5)))).isTrue();
            assertThat(redis.commandCalls("ping")).as("no PING for a connection returned 5 ms ago").isEqualTo(before);

            assertThat(factory.validateObject(idleFor(pooled, RecentlyUsedConnections.TRUSTED_IDLE))).isTrue();
            assertThat(redis.commandCalls("ping")).as("a PING once it was idle for the trusted time").isEqualTo(before + 1);
        } finally {
            factory.destroyObject(pooled);
        }
    }

    @Test
    void aConnectionIdleAcrossARestartIsFoundDeadAndOneACommandBrokeIsRefusedWithoutAPing() throws Exception {
        PooledObject<Connection> idle = factory.makeObject();
        PooledObject<Connection> used = factory.makeObject();
        try {
            redis.kill();
            redis.restart();
            assertThat(factory.validateObject(idleFor(idle, Duration.ofSeconds(1))))
                    .as("the PING finds the connection from before the restart dead").isFalse();

            assertThatThrownBy(() -> used.getObject().ping())
                    .isInstanceOf(JedisConnectionException.class);
            long before = redis.commandCalls("ping");
            assertThat(factory.validateObject(idleFor(used, Duration.ofMillis(5))))
                    .as("a connection a command broke is never lent, however recently returned").isFalse();
            assertThat(redis.commandCalls("ping")).isEqualTo(before);
        } finally {
            factory.destroyObject(idle);
            factory.destroyObject(used);
        }
    }

    /** The same connection as the pool sees it after {@code idle} in its idle list. */
    private static PooledObject<Connection> idleFor(PooledObject<Connection> pooled, Duration idle) {
        return new DefaultPooledObject<>(pooled.getObject()) {
            @Override
            public Duration getIdleDuration() {
                return idle;
            }
        };
    }
}
