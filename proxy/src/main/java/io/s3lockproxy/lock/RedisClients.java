package io.s3lockproxy.lock;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Builds the pooled Jedis client for a {@code lock.redis} URI.
 *
 * <ul>
 *   <li>{@code redis://[user:password@]host:port[/db]} and {@code rediss://…} (TLS): one server;</li>
 *   <li>{@code redis-sentinel://[user:password@]host:port[,host:port…]/masterName[/db]}: the
 *       master named by the Sentinels (credentials apply to the master, not the Sentinels);</li>
 *   <li>{@code redis-cluster://[user:password@]host:port[,host:port…]} and {@code rediss-cluster://…}
 *       (TLS): a Redis Cluster, found through any of the seed nodes; each command goes to the master
 *       of its keys' slot, and follows MOVED/ASK redirections and failovers.</li>
 * </ul>
 * Pooled connections are validated on borrow, so after a Redis restart the first command gets a
 * fresh connection instead of failing on a dead one: the client reconnects by itself. For one
 * server the check is a PING only for a connection idle for a while ({@link RecentlyUsedConnections});
 * Sentinel and Cluster clients build their pools themselves and PING on every borrow.
 */
final class RedisClients {

    private static final int CLUSTER_MAX_ATTEMPTS = 5;

    private RedisClients() {
    }

    /** Returns a client for {@code uri} with room for {@code connections} concurrent commands. */
    static UnifiedJedis connect(URI uri, int connections, Duration timeout) {
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(connections);
        pool.setMaxIdle(connections);
        pool.setTestOnBorrow(true);
        pool.setMaxWait(timeout);
        return switch (scheme) {
            case "redis", "rediss" -> standalone(uri, pool, timeoutMillis, scheme.equals("rediss"));
            case "redis-sentinel" -> sentinel(uri, pool, timeoutMillis);
            case "redis-cluster", "rediss-cluster" -> cluster(uri, pool, timeoutMillis, scheme.startsWith("rediss"));
            default -> throw new IllegalArgumentException("unsupported Redis URI scheme: " + uri.getScheme());
        };
    }

    /** Returns whether {@code uri} names a Redis Cluster (whose scripts may touch keys of one slot only). */
    static boolean isCluster(URI uri) {
        return String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT).endsWith("-cluster");
    }

    /** Connections returned moments ago are lent without a PING ({@link RecentlyUsedConnections}). */
    private static UnifiedJedis standalone(URI uri, ConnectionPoolConfig pool, int timeoutMillis, boolean ssl) {
        DefaultJedisClientConfig config = clientConfig(JedisURIHelper.getUser(uri), JedisURIHelper.getPassword(uri),
                JedisURIHelper.getDBIndex(uri), ssl, timeoutMillis);
        return RedisClient.builder()
                .clientConfig(config)
                .connectionProvider(new PooledConnectionProvider(
                        new RecentlyUsedConnections(JedisURIHelper.getHostAndPort(uri), config), pool))
                .build();
    }

    private static UnifiedJedis sentinel(URI uri, ConnectionPoolConfig pool, int timeoutMillis) {
        HostList sentinels = HostList.of(uri);
        String[] path = uri.getPath() == null ? new String[0] : uri.getPath().replaceFirst("^/", "").split("/");
        if (path.length == 0 || path[0].isEmpty()) {
            throw new IllegalArgumentException("redis-sentinel URI needs the master name as its path: " + uri);
        }
        int db = path.length > 1 ? Integer.parseInt(path[1]) : 0;
        return RedisSentinelClient.builder()
                .masterName(path[0])
                .sentinels(sentinels.hosts())
                .clientConfig(clientConfig(sentinels.user(), sentinels.password(), db, false, timeoutMillis))
                // Sentinel connections are plain Jedis ones, which speak RESP2 only.
                .sentinelClientConfig(DefaultJedisClientConfig.builder().autoNegotiateProtocol(false)
                        .timeoutMillis(timeoutMillis).clientName("s3-lock-proxy").build())
                .poolConfig(pool)
                .build();
    }

    /**
     * The pool is per node. A command whose node fails is retried (with a fresh slot map) for at most
     * {@code 2 × timeout} in all, which covers a master's failover with the default node timeout only
     * partly: a lease acquisition that still fails is a {@link LockUnavailableException}, as for a
     * single Redis that is down.
     */
    private static UnifiedJedis cluster(URI uri, ConnectionPoolConfig pool, int timeoutMillis, boolean ssl) {
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
            throw new IllegalArgumentException("a Redis Cluster has no databases; the redis-cluster URI takes no path: "
                    + uri);
        }
        HostList seeds = HostList.of(uri);
        // Without it the client fails to build while no seed answers; with it, it starts with an empty
        // slot map and asks the seeds again on each command, so connecting stays lazy as for one Redis.
        System.setProperty(RedisClusterClient.INIT_NO_ERROR_PROPERTY, "true");
        return RedisClusterClient.builder()
                .nodes(seeds.hosts())
                .clientConfig(clientConfig(seeds.user(), seeds.password(), 0, ssl, timeoutMillis))
                .poolConfig(pool)
                .maxAttempts(CLUSTER_MAX_ATTEMPTS)
                .maxTotalRetriesDuration(Duration.ofMillis(2L * timeoutMillis))
                .build();
    }

    private static DefaultJedisClientConfig clientConfig(String user, String password, int db, boolean ssl, int timeoutMillis) {
        return DefaultJedisClientConfig.builder()
                .user(user)
                .password(password)
                .database(db)
                .ssl(ssl)
                .timeoutMillis(timeoutMillis)
                .clientName("s3-lock-proxy")
                .build();
    }

    /** The {@code [user:password@]host:port[,host:port…]} authority of a Sentinel or Cluster URI. */
    private record HostList(String user, String password, Set<HostAndPort> hosts) {

        static HostList of(URI uri) {
            String authority = uri.getRawAuthority();
            if (authority == null || authority.isBlank()) {
                throw new IllegalArgumentException("no host:port in " + uri);
            }
            String user = null;
            String password = null;
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = authority.substring(0, at);
                authority = authority.substring(at + 1);
                int colon = userInfo.indexOf(':');
                user = colon > 0 ? decode(userInfo.substring(0, colon)) : null;
                password = decode(colon >= 0 ? userInfo.substring(colon + 1) : userInfo);
            }
            Set<HostAndPort> hosts = new LinkedHashSet<>();
            for (String hostPort : authority.split(",")) {
                hosts.add(HostAndPort.from(hostPort.trim()));
            }
            return new HostList(user, password, hosts);
        }

        private static String decode(String s) {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }
    }
}
