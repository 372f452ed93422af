package io.s3lockproxy.bench;

import io.s3lockproxy.it.Backends;
import io.s3lockproxy.it.NginxProcess;
import io.s3lockproxy.it.LauncherSettings;
import io.s3lockproxy.it.ProxyProcess;
import io.s3lockproxy.it.S3Backend;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The endpoints {@link LoadTool} measures side by side, by the names {@code --targets} takes:
 * <ul>
 *   <li>{@code direct}: the backend itself;
 *   <li>{@code nginx}: nginx as a plain pass-through in front of it ({@link NginxProcess}), what any
 *       HTTP hop costs; skipped, with a line saying so, when nginx is not on PATH;
 *   <li>{@code proxy}: the proxy with its default settings (fenced writes, local locks);
 *   <li>{@code proxy-serialize}: the proxy with {@code lock.mode: serialize}.
 * </ul>
 * Starts what the targets need (a backend, nginx, proxies) and stops it on {@link #close()}.
 */
final class LoadTargets implements AutoCloseable {
    static final List<String> NAMES = List.of("direct", "nginx", "proxy", "proxy-serialize");
    /** The default with {@code --backend} and {@code --proxy}: what those two name. */
    private static final List<String> GIVEN = List.of("direct", "proxy");

    /**
     * One endpoint and the keys a client signs with there; {@code cpu} reads the CPU time of the
     * processes that serve it in front of the backend (null: none, or not known).
     */
    record Target(String name, URI endpoint, String accessKey, String secretKey, ProcessCpu cpu) {

        Target named(String other) {
            return new Target(other, endpoint, accessKey, secretKey, cpu);
        }
    }

    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    /** JVM options of the proxies this tool starts: {@code --proxy-jvm}, by default the launcher's. */
    private final List<String> proxyJvmOptions;
    private Target backend;

    private LoadTargets(List<String> proxyJvmOptions) {
        this.proxyJvmOptions = proxyJvmOptions;
    }

    /**
     * Starts the targets {@code opts} selects ({@code --targets}): against a backend and proxy
     * given as {@code --backend} and {@code --proxy} (by default those two only), else against a
     * backend it starts (by default all four). With {@code --no-proxy true} every target measures
     * the backend (a check of the tool: all ratios should be near 1).
     */
    static LoadTargets start(Map<String, String> opts) {
        List<String> names = names(opts.getOrDefault("targets",
                String.join(",", opts.containsKey("backend") ? GIVEN : NAMES)));
        String jvm = opts.getOrDefault("proxy-jvm", String.join(" ", LauncherSettings.forThisJava()));
        LoadTargets t = new LoadTargets(jvm.isBlank() ? List.of() : List.of(jvm.trim().split("\\s+")));
        try {
            S3Backend startedBackend = null;
            if (opts.containsKey("backend")) {
                t.backend = new Target("direct", URI.create(opts.get("backend")), opts.get("backend-key"),
                        opts.getOrDefault("backend-secret", System.getenv("LOADTOOL_BACKEND_SECRET")), null);
            } else {
                startedBackend = t.started(Backends.start());
                t.backend = new Target("direct", startedBackend.endpoint(), startedBackend.accessKey(),
                        startedBackend.secretKey(), null);
                System.out.println("started " + startedBackend);
            }
            boolean noProxy = Boolean.parseBoolean(opts.getOrDefault("no-proxy", "false"));
            if (noProxy) {
                System.out.println("--no-proxy: every target measures the backend");
            } else if (!ProcessCpu.supported()) {
                System.out.println("no /proc/PID/stat or getconf CLK_TCK here: the CPU column stays empty");
            }
            for (String name : names) {
                Target target = noProxy ? t.backend.named(name) : t.target(name, startedBackend, opts);
                if (target != null) {
                    t.targets.add(target);
                }
            }
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Returns the backend, for setting up buckets and objects, whichever targets are measured. */
    Target backend() {
        return backend;
    }

    /** Returns the targets in the order {@code --targets} named them. */
    List<Target> targets() {
        return List.copyOf(targets);
    }

    private Target target(String name, S3Backend startedBackend, Map<String, String> opts) {
        switch (name) {
            case "direct":
                return backend;
            case "nginx":
                if (!NginxProcess.available()) {
                    System.out.println("nginx is not on PATH: the nginx rows are skipped");
                    return null;
                }
                NginxProcess nginx = started(NginxProcess.start(backend.endpoint()));
                System.out.println("started " + nginx);
                // nginx passes the request on as signed: the client uses the backend's keys
                return new Target(name, nginx.endpoint(), backend.accessKey(), backend.secretKey(), cpu(nginx::pids));
            case "proxy":
                if (startedBackend == null) {
                    return new Target(name, URI.create(required(opts, "proxy")), opts.get("proxy-key"),
                            opts.getOrDefault("proxy-secret", System.getenv("LOADTOOL_PROXY_SECRET")), null);
                }
                return proxy(name, ProxyProcess.forBackend(startedBackend).name("loadtool"));
            case "proxy-serialize":
                if (startedBackend == null) {
                    throw new IllegalArgumentException("proxy-serialize is a proxy this tool starts: with --backend,"
                            + " run --targets without it");
                }
                return proxy(name, ProxyProcess.forBackend(startedBackend).name("loadtool-serialize")
                        .lockMode("serialize"));
            default:
                throw new IllegalStateException("unchecked target name " + name);
        }
    }

    private Target proxy(String name, ProxyProcess.Builder builder) {
        proxyJvmOptions.forEach(builder::jvmOption);
        ProxyProcess proxy = started(builder.start());
        System.out.println("started " + proxy + " as " + name);
        return new Target(name, proxy.endpoint(), proxy.accessKey(), proxy.secretKey(),
                cpu(() -> List.of(proxy.pid())));
    }

    private static ProcessCpu cpu(Supplier<List<Long>> pids) {
        return ProcessCpu.supported() ? ProcessCpu.of(pids) : null;
    }

    private <C extends AutoCloseable> C started(C process) {
        started.add(0, process); // stopped in reverse order: the backend last
        return process;
    }

    private static List<String> names(String csv) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (String name : csv.split(",")) {
            String trimmed = name.trim();
            if (!NAMES.contains(trimmed)) {
                throw new IllegalArgumentException("--targets takes " + String.join(",", NAMES) + ", not " + trimmed);
            }
            names.add(trimmed);
        }
        return new ArrayList<>(names);
    }

    private static String required(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--backend needs --" + name + " for the target " + name);
        }
        return value;
    }

    @Override
    public void close() {
        for (AutoCloseable c : started) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("close failed: " + e);
            }
        }
        started.clear();
    }
}
