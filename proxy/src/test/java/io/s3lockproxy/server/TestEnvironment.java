package io.s3lockproxy.server;

import io.s3lockproxy.config.ConfigLoader;
import io.s3lockproxy.config.ProxyConfig;
import java.util.HashMap;
import java.util.Map;

/** The configuration the server tests start a proxy with: ephemeral ports, {@link TestClient}'s key, one upstream. */
final class TestEnvironment {
    private TestEnvironment() {
    }

    /**
     * Returns the configuration for a proxy in front of {@code upstreamEndpoint}; {@code overrides}
     * ({@code S3LP_…} variables) are applied last.
     */
    static ProxyConfig config(String upstreamEndpoint, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("S3LP_LISTEN", "127.0.0.1:0");
        env.put("S3LP_ADMIN", "127.0.0.1:0");
        env.put("S3LP_CREDENTIALS_0_ACCESSKEY", TestClient.ACCESS_KEY);
        env.put("S3LP_CREDENTIALS_0_SECRETKEY", TestClient.SECRET_KEY);
        env.put("S3LP_UPSTREAM_ENDPOINT", upstreamEndpoint);
        env.put("S3LP_UPSTREAM_ACCESSKEY", "upstream-key");
        env.put("S3LP_UPSTREAM_SECRETKEY", "upstream-secret");
        env.putAll(overrides);
        return ConfigLoader.load(null, env);
    }
}
