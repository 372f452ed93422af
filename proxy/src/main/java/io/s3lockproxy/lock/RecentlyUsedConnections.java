package io.s3lockproxy.lock;

import java.time.Duration;
import org.apache.commons.pool2.PooledObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * Connections to one Redis whose check on borrow is a PING only when they have been idle in the
 * pool for more than {@link #TRUSTED_IDLE}. A connection that a command returned moments ago is
 * lent as it is: under load each lock command then costs one round trip instead of two (a PING,
 * then the script). A connection from before a Redis restart is never trusted this way, since a
 * restart takes longer than that, and one that a command broke meanwhile was dropped on return.
 */
final class RecentlyUsedConnections extends ConnectionFactory {
    static final Duration TRUSTED_IDLE = Duration.ofMillis(100);

    RecentlyUsedConnections(HostAndPort address, JedisClientConfig config) {
        super(address, config);
    }

    @Override
    public boolean validateObject(PooledObject<Connection> pooled) {
        if (pooled.getIdleDuration().compareTo(TRUSTED_IDLE) < 0) {
            Connection connection = pooled.getObject();
            return connection.isConnected() && !connection.isBroken();
        }
        return super.validateObject(pooled);
    }
}
