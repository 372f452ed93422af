package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/s3-lock-proxy}, the launcher README and the container image run: its first start makes
 * the class-data archive beside the jar, later starts use it, and a newer jar makes it again.
 * {@code --exit-when-ready} ends each start as soon as the proxy listens.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "bin", "s3-lock-proxy");

    private record Run(int exitCode, String output) {
    }

    private static Run launch(Path jar) throws IOException, InterruptedException {
        int[] ports = Ports.freePorts(2);
        ProcessBuilder pb = new ProcessBuilder("sh", LAUNCHER.toString(), "--exit-when-ready").redirectErrorStream(true);
        pb.environment().put("S3_LOCK_PROXY_JAR", jar.toString());
        pb.environment().put("S3LP_LISTEN", "127.0.0.1:" + ports[0]);
        pb.environment().put("S3LP_ADMIN", "127.0.0.1:" + ports[1]);
        pb.environment().put("S3LP_UPSTREAM_ENDPOINT", "http://127.0.0.1:9");
        pb.environment().put("S3LP_UPSTREAM_ACCESS_KEY", "launcher");
        pb.environment().put("S3LP_UPSTREAM_SECRET_KEY", "launcher");
        pb.environment().put("S3LP_CREDENTIALS_0_ACCESS_KEY", "launcher");
        pb.environment().put("S3LP_CREDENTIALS_0_SECRET_KEY", "launcher");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), output);
    }

    @Test
    void theLauncherStartsJavaWithTheSettingsTheBenchmarksUse() throws IOException {
        assertThat(Files.readString(LAUNCHER)).contains("exec java " + String.join(" ", LauncherSettings.JVM_OPTIONS) + " ");
    }

    @Test
    void theFirstStartMakesTheArchiveLaterStartsUseItAndANewJarRemakesIt(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("s3-lock-proxy.jar");
        Files.copy(ChildProcesses.requiredFile("proxy.jar"), jar);
        Path archive = dir.resolve("s3-lock-proxy.jsa");

        Run first = launch(jar);
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("s3-lock-proxy listening on", "shutdown complete");
        assertThat(archive).exists();
        long made = Files.getLastModifiedTime(archive).toMillis();
        List<String> probe = Files.readAllLines(dir.resolve("s3-lock-proxy.jvm-probe"));
        assertThat(probe).as("the java binary, and the trimming flags it takes").hasSize(2);
        assertThat(probe.get(1)).isEqualTo(LauncherSettings.forThisJava().containsAll(LauncherSettings.TRIM_OPTIONS)
                ? String.join(" ", LauncherSettings.TRIM_OPTIONS) : "");

        Run second = launch(jar);
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(Files.getLastModifiedTime(archive).toMillis()).as("used, not made again").isEqualTo(made);
        assertThat(second.output()).doesNotContainIgnoringCase("warning");

        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(made + 10_000));
        Run third = launch(jar);
        assertThat(third.exitCode()).as(third.output()).isZero();
        assertThat(Files.getLastModifiedTime(archive).toMillis()).as("made again for the newer jar").isNotEqualTo(made);
    }
}
