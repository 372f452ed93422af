package io.s3lockproxy.lock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script sent by its SHA-1 digest ({@code EVALSHA}), and whole ({@code EVAL}, which also caches
 * it) only when Redis answers that it does not have it: the first call, and after a restart, a
 * {@code SCRIPT FLUSH} or a failover to a node that never ran it. That answer means the script did
 * not run, so sending it whole then runs it exactly once.
 */
final class LuaScript {
    private final String text;
    private final String sha1;

    LuaScript(String text) {
        this.text = text;
        try {
            sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }

    /** The digest Redis knows the script by. */
    String sha1() {
        return sha1;
    }

    Object run(UnifiedJedis client, List<String> keys, List<String> args) {
        try {
            return client.evalsha(sha1, keys, args);
        } catch (JedisNoScriptException notCached) {
            return client.eval(text, keys, args);
        }
    }
}
