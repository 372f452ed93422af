package io.s3lockproxy;

import io.s3lockproxy.config.ConfigException;
import io.s3lockproxy.config.ConfigLoader;
import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.server.ProxyServer;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the configuration and wires the proxy together; holds no logic of its own. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: java -jar s3-lock-proxy.jar --config FILE   (keys may be overridden by S3LP_* variables)");
                return;
            } else {
                System.err.println("unknown argument: " + args[i] + " (usage: --config FILE)");
                System.exit(2);
            }
        }
        ProxyConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            System.err.println("s3-lock-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        ProxyServer server = ProxyServer.start(config);
        LOG.info("s3-lock-proxy listening on {}:{}, upstream {}", config.listen().host(), server.port(),
                config.upstream().endpoint());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    }
}
