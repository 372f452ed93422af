package io.s3lockproxy.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

class LuaScriptTest {
    private static final LuaScript INCREMENT = new LuaScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");

    private RedisServerProcess redis;
    private UnifiedJedis client;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerProcess.start();
        client = RedisClients.connect(redis.uri(), 4, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        redis.close();
    }

    @Test
    void theDigestIsTheOneRedisKnowsTheScriptBy() {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertThat(jedis.scriptLoad("return redis.call('INCRBY', KEYS[1], ARGV[1])")).isEqualTo(INCREMENT.sha1());
        }
    }

    @Test
    void theTextGoesOnlyWhenRedisLacksTheScriptAndEveryCallRunsItOnce() {
        assertThat(run()).isEqualTo(1L);
        assertThat(run()).isEqualTo(2L);
        assertThat(run()).isEqualTo(3L);
        assertThat(redis.commandCalls("eval")).as("the text once, when the script was not cached").isEqualTo(1);
        assertThat(redis.commandCalls("evalsha")).as("every call tries the digest first").isEqualTo(3);

        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.scriptFlush();
        }
        assertThat(run()).as("after SCRIPT FLUSH the script runs once, sent whole").isEqualTo(4L);
        assertThat(redis.commandCalls("eval")).isEqualTo(2);
        assertThat(run()).isEqualTo(5L);
        assertThat(redis.commandCalls("eval")).isEqualTo(2);
    }

    private Object run() {
        return INCREMENT.run(client, List.of("counter"), List.of("1"));
    }
}
