package io.s3lockproxy;

import ch.qos.logback.classic.LoggerContext;
import io.s3lockproxy.config.ConfigException;
import io.s3lockproxy.config.ConfigLoader;
import io.s3lockproxy.config.ProxyConfig;
import io.s3lockproxy.admin.AdminEndpoints;
import io.s3lockproxy.admin.AdminServer;
import io.s3lockproxy.admin.LockMeters;
import io.s3lockproxy.admin.ProbeReadiness;
import io.s3lockproxy.lock.LockServices;
import io.s3lockproxy.lock.LockMetrics;
import io.s3lockproxy.lock.LockService;
import io.s3lockproxy.metrics.ProxyMetrics;
import io.s3lockproxy.server.AccessLog;
import io.s3lockproxy.server.MetricsObserver;
import io.s3lockproxy.server.ProxyServer;
import io.s3lockproxy.server.RequestObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the configuration and wires the proxy together; holds no logic of its own. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final String USAGE = "usage: java -jar s3-lock-proxy.jar [--config FILE] [--exit-when-ready]"
            + "   (keys may be overridden by S3LP_* variables; --exit-when-ready starts, then shuts down at once:"
            + " a start-up check, and the training run of a class-data archive)";

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path configFile = null;
        boolean exitWhenReady = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].equals("--exit-when-ready")) {
                exitWhenReady = true;
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(USAGE);
                return;
            } else {
                System.err.println("unknown argument: " + args[i] + " (" + USAGE + ")");
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
        LockMetrics lockMetrics = new LockMetrics();
        LockService lockService = LockServices.create(config.lock(), lockMetrics);
        ProxyMetrics metrics = new ProxyMetrics();
        List<RequestObserver> observers = new ArrayList<>();
        observers.add(new MetricsObserver(metrics));
        if (config.log().access()) {
            observers.add(new AccessLog(config.log().format()));
        }
        ProxyServer server;
        try {
            server = ProxyServer.start(config, lockService, RequestObserver.all(observers));
        } catch (RuntimeException e) {
            // e.g. the port is taken: say so and exit rather than linger with half-started threads
            LOG.error("s3-lock-proxy could not start: {}", e.toString());
            System.exit(1);
            return;
        }
        LockMeters.bind(metrics, lockMetrics, server::fenceRejections);
        ProbeReadiness readiness = new ProbeReadiness(() -> !server.stopping(), config.upstream().endpoint(),
                config.upstream().connectTimeout(), lockService::redisProblem);
        AdminServer admin;
        try {
            admin = AdminServer.start(config.admin(), new AdminEndpoints(readiness, metrics, lockService::held,
                    server::storageProtection));
        } catch (RuntimeException e) {
            LOG.error("s3-lock-proxy could not start the admin listener on {}: {}", config.admin(), e.toString());
            server.close();
            System.exit(1);
            return;
        }
        LOG.info("s3-lock-proxy listening on {}:{}, admin on {}:{}, upstream {}, instance {}", config.listen().host(),
                server.port(), config.admin().host(), admin.port(), config.upstream().endpoint(), lockService.instanceId());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: draining requests for up to {} ms", config.shutdownGrace().toMillis());
            server.shutdownGracefully();
            readiness.close();
            admin.close();
            LOG.info("shutdown complete");
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
                logback.stop();
            }
            // A clean drain is a clean exit, also when the JVM was asked to stop by SIGTERM (else 143).
            Runtime.getRuntime().halt(0);
        }, "shutdown"));
        if (exitWhenReady) {
            System.exit(0);
        }
    }
}
