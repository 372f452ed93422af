package io.s3lockproxy.lock;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real Redis Cluster of three masters with one replica each, on free local ports, without
 * persistence: six {@link RedisServerProcess cluster nodes} joined by {@code redis-cli --cluster create}.
 * A node that does not answer for {@link #NODE_TIMEOUT_MILLIS} is failed over to its replica.
 *
 * <p>Needs {@code redis-cli} (5.0 or later) on PATH beside the server: {@link #start()} skips the
 * calling test (a JUnit assumption) without it, and says so on stderr with the word SKIPPED, so a
 * build log shows which tests did not run. The embedded-redis fallback ships no {@code redis-cli};
 * {@code .ci/run} installs it.
 *
 * <p>Public and shipped in the proxy module's test-jar for the integration tests.
 */
public final class RedisClusterProcess implements AutoCloseable {

    /** The cluster's node timeout: how long a silent master stays master. */
    public static final long NODE_TIMEOUT_MILLIS = 1000;
    private static final int NODES = 6;

    private final List<RedisServerProcess> nodes;
    private final Path dir;

    private RedisClusterProcess(List<RedisServerProcess> nodes, Path dir) {
        this.nodes = nodes;
        this.dir = dir;
    }

    /** Returns a started cluster whose every slot is served, or skips the calling test (see the class comment). */
    public static RedisClusterProcess start() throws IOException, InterruptedException {
        String missing = missingTools();
        if (missing != null) {
            skipped(missing);
            assumeTrue(false, missing);
        }
        Path dir = Files.createTempDirectory("s3lp-redis-cluster-");
        List<RedisServerProcess> nodes = new ArrayList<>();
        RedisClusterProcess cluster = new RedisClusterProcess(nodes, dir);
        try {
            for (int i = 0; i < NODES; i++) {
                nodes.add(RedisServerProcess.startClusterNode(dir, NODE_TIMEOUT_MILLIS));
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Path log = dir.resolve("cluster-create.log");
            Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("redis-cli --cluster create failed: " + Files.readString(log));
            }
            cluster.awaitServing(60_000);
            // A replica that never synced refuses to take over ("data too old"): a failover test must
            // not kill a master before its replica has a copy.
            cluster.awaitReplicasInSync(60_000);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Returns a started cluster, or null when the tools are missing, having said so on stderr: for a
     * {@code @BeforeAll}, whose tests then skip themselves with {@link #assumeStarted}.
     */
    public static RedisClusterProcess startIfPossible() throws IOException, InterruptedException {
        String missing = missingTools();
        if (missing != null) {
            skipped(missing);
            return null;
        }
        return start();
    }

    /** Skips the calling test (a JUnit assumption) when {@code cluster} is null. */
    public static void assumeStarted(RedisClusterProcess cluster) throws IOException {
        assumeTrue(cluster != null, () -> {
            try {
                return missingTools();
            } catch (IOException e) {
                return e.toString();
            }
        });
    }

    /** Returns why no cluster can be started here, or null if it can. */
    private static String missingTools() throws IOException {
        if (RedisServerProcess.onPath("redis-cli") == null) {
            return "redis-cli is not on PATH; install redis-tools to run the Redis Cluster tests (.ci/run does)";
        }
        String version = output("redis-cli", "--version");
        if (!version.matches("(?s)redis-cli ([5-9]|\\d\\d+)\\..*")) {
            return "redis-cli " + version.strip() + " cannot create clusters (needs 5.0 or later)";
        }
        return null;
    }

    private static void skipped(String reason) {
        String test = StackWalker.getInstance().walk(frames -> frames
                .map(StackWalker.StackFrame::getClassName)
                .filter(c -> !c.equals(RedisClusterProcess.class.getName()))
                .findFirst().orElse("?"));
        System.err.println("SKIPPED " + test.substring(test.lastIndexOf('.') + 1) + ": " + reason);
    }

    private static String output(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Returns the {@code redis-cluster://} URI naming every node as a seed. */
    public URI uri() {
        return URI.create("redis-cluster://" + nodes.stream().map(n -> "127.0.0.1:" + n.port())
                .collect(Collectors.joining(",")));
    }

    /** Returns the six nodes, masters and replicas in no particular order. */
    public List<RedisServerProcess> nodes() {
        return nodes;
    }

    /** Returns the running node that is master of {@code slot} by its own account. */
    public RedisServerProcess masterOf(int slot) {
        for (RedisServerProcess node : nodes) {
            if (node.alive() && servedSlots(node).containsKey(slot)) {
                return node;
            }
        }
        throw new IllegalStateException("no running master serves slot " + slot);
    }

    /** Returns the replica of {@code master}. */
    public RedisServerProcess replicaOf(RedisServerProcess master) {
        for (RedisServerProcess node : nodes) {
            Map<String, String> replication = info(node, "replication");
            if (node.alive() && "slave".equals(replication.get("role"))
                    && Integer.toString(master.port()).equals(replication.get("master_port"))) {
                return node;
            }
        }
        throw new IllegalStateException("no replica of " + master.port());
    }

    /** Returns the running masters. */
    public List<RedisServerProcess> masters() {
        List<RedisServerProcess> masters = new ArrayList<>();
        for (RedisServerProcess node : nodes) {
            if (node.alive() && "master".equals(info(node, "replication").get("role"))) {
                masters.add(node);
            }
        }
        return masters;
    }

    /**
     * Waits until every running node reports {@code cluster_state:ok} and the running masters
     * together serve all 16,384 slots; fails after {@code timeoutMillis}.
     */
    public void awaitServing(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = problem();
            if (last == null) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("cluster not serving after " + timeoutMillis + " ms: " + last);
    }

    private void awaitReplicasInSync(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            long synced = nodes.stream().map(n -> info(n, "replication"))
                    .filter(i -> "slave".equals(i.get("role")) && "up".equals(i.get("master_link_status"))).count();
            if (synced == NODES / 2) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("replicas not in sync after " + timeoutMillis + " ms");
    }

    private String problem() {
        try {
            int served = 0;
            for (RedisServerProcess node : nodes) {
                if (!node.alive()) {
                    continue;
                }
                String state = info(node, "cluster-info").get("cluster_state");
                if (!"ok".equals(state)) {
                    return "node " + node.port() + " has cluster_state " + state;
                }
            }
            for (RedisServerProcess master : masters()) {
                served += servedSlots(master).size();
            }
            return served == ClusterSlotTags.SLOTS ? null : "running masters serve " + served + " slots";
        } catch (JedisException e) {
            return e.toString();
        }
    }

    /** Returns the slots {@code node} serves as master (slot → its port), by CLUSTER SLOTS as it sees them. */
    private static Map<Integer, Integer> servedSlots(RedisServerProcess node) {
        Map<Integer, Integer> slots = new TreeMap<>();
        try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            for (Object range : jedis.clusterSlots()) {
                List<?> r = (List<?>) range;
                int port = ((Long) ((List<?>) r.get(2)).get(1)).intValue();
                if (port != node.port()) {
                    continue;
                }
                for (long s = (Long) r.get(0); s <= (Long) r.get(1); s++) {
                    slots.put((int) s, port);
                }
            }
        }
        return slots;
    }

    /** Returns the fields of {@code INFO section} of {@code node}, or CLUSTER INFO for "cluster-info". */
    private static Map<String, String> info(RedisServerProcess node, String section) {
        try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            String text = section.equals("cluster-info") ? jedis.clusterInfo() : jedis.info(section);
            Map<String, String> fields = new TreeMap<>();
            for (String line : text.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
            return fields;
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServerProcess node : nodes) {
            node.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind
        }
    }
}
