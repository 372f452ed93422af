package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * restic, a backup tool built on minio-go, keeps a repository in a bucket through the proxy
 * (skipped where {@code restic} is not on PATH): many small uploads, pack files, its own lock
 * objects written and deleted, listing, ranged reads, and a prune that rewrites and deletes.
 */
class ResticIT extends ProxyTestEnvironment {
    private Path work;

    @BeforeEach
    void requireRestic() throws IOException {
        Executables.assumeOnPath("restic", "restic");
        work = Files.createTempDirectory("restic-it-");
    }

    @AfterEach
    void removeWork() {
        ChildProcesses.deleteRecursively(work);
    }

    private CommandRun restic(String... args) {
        List<String> command = new ArrayList<>(List.of("restic", "--no-cache"));
        command.addAll(List.of(args));
        return CommandRun.of(command, work, env -> {
            env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("RESTIC_"));
            env.put("AWS_ACCESS_KEY_ID", accessKey);
            env.put("AWS_SECRET_ACCESS_KEY", secretKey);
            env.put("RESTIC_REPOSITORY", "s3:" + endpoint + "/" + bucket + "/repo");
            env.put("RESTIC_PASSWORD", "restic-it-password");
            env.put("HOME", work.toString());
        });
    }

    private CommandRun ok(String... args) {
        return restic(args).succeeded();
    }

    @Test
    void backupCheckRestoreAndPruneKeepEveryByte() throws Exception {
        Path source = Files.createDirectories(work.resolve("source"));
        Files.write(source.resolve("big.bin"), Payloads.random(6 << 20));
        Path odd = Files.createDirectories(source.resolve("sub dir/ü+x"));
        for (int i = 0; i < 40; i++) {
            Files.writeString(odd.resolve("file " + i + ".txt"), "file " + i + " " + Payloads.sha256Hex(Payloads.random(64)));
        }

        ok("init");
        ok("backup", "source");
        Files.writeString(odd.resolve("file 3.txt"), "changed after the first snapshot");
        Files.write(source.resolve("second.bin"), Payloads.random(1 << 20));
        ok("backup", "source");
        assertThat(ok("check", "--read-data").out()).contains("no errors were found");

        Path restored = Files.createDirectories(work.resolve("restored"));
        ok("restore", "latest", "--target", restored.toString());
        assertSameTree(source, restored.resolve("source"));

        ok("forget", "--keep-last", "1", "--prune");
        assertThat(ok("snapshots", "--json").out()).satisfies(json -> assertThat(json.split("\"time\"", -1)).hasSize(2));
        assertThat(ok("check", "--read-data").out()).contains("no errors were found");

        // restic removed its own lock objects through the proxy, and the proxy holds no key.
        assertThat(keysUnder("repo/locks/")).isEmpty();
        assertThat(heldLocks()).isEqualTo("[]");
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(expected)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).hasSizeGreaterThan(40);
        for (Path file : files) {
            Path copy = actual.resolve(expected.relativize(file).toString());
            assertThat(copy).as("restored %s", copy).exists();
            assertThat(Payloads.sha256Hex(Files.readAllBytes(copy))).as("content of %s", copy)
                    .isEqualTo(Payloads.sha256Hex(Files.readAllBytes(file)));
        }
        try (Stream<Path> walk = Files.walk(actual)) {
            assertThat(walk.filter(Files::isRegularFile).count()).isEqualTo(files.size());
        }
    }

    private List<String> keysUnder(String prefix) {
        return direct.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    /** The {@code locks} array of the proxy's {@code /locks}, as text. */
    private String heldLocks() throws IOException, InterruptedException {
        String json = proxy.locksJson(Duration.ofSeconds(10));
        int start = json.indexOf("\"locks\":") + "\"locks\":".length();
        return json.substring(start, json.indexOf(']', start) + 1);
    }
}
