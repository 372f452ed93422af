package io.s3lockproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: no secret ever appears in a log line. Runs last in the failsafe run (alphabetical
 * order, see the pom) and greps every log the run wrote under {@code target/proxy-logs/} for
 * every secret {@link ProxyProcess} configured (client secret keys and the upstream secret, which
 * is the backend's), recorded in {@code target/configured-secrets.txt}.
 */
class ZzSecretsNotLoggedIT {
    /** Next to the log directory; ProxyProcess appends one secret per line. */
    static final String SECRETS_FILE = "configured-secrets.txt";

    @Test
    void noLogOfTheWholeRunContainsAConfiguredSecret() throws IOException {
        Path logs = ChildProcesses.logDirectory();
        Path secretsFile = logs.resolveSibling(SECRETS_FILE);
        Assumptions.assumeTrue(Files.exists(secretsFile), "no proxy ran in this build: nothing to grep");
        Set<String> secrets = new LinkedHashSet<>(Files.readAllLines(secretsFile, StandardCharsets.UTF_8));
        secrets.removeIf(String::isBlank);
        assertThat(secrets).isNotEmpty();
        List<Path> files;
        try (Stream<Path> s = Files.walk(logs)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        List<String> leaks = new ArrayList<>();
        long accessLines = 0;
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            for (String secret : secrets) {
                if (text.contains(secret)) {
                    leaks.add(f.getFileName() + " contains the secret " + secret.substring(0, Math.min(4, secret.length())) + "…");
                }
            }
            accessLines += text.lines().filter(l -> l.startsWith("{\"time\":") && l.contains("\"requestId\":")).count();
        }
        assertThat(leaks).as("secrets in %d log files", files.size()).isEmpty();
        assertThat(accessLines).as("access-log lines were grepped too").isPositive();
        System.out.printf("ZzSecretsNotLoggedIT: %d secrets, %d log files, %d access-log lines: no secret found%n",
                secrets.size(), files.size(), accessLines);
    }

    /**
     * Every proxy of the run had assertions on and Netty's leak detector at PARANOID (see
     * ProxyProcess): no log may report a leaked buffer or a broken invariant.
     */
    @Test
    void noLogReportsALeakedBufferOrABrokenInvariant() throws IOException {
        Path logs = ChildProcesses.logDirectory();
        Assumptions.assumeTrue(Files.isDirectory(logs), "no proxy ran in this build: nothing to grep");
        List<String> problems = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(logs)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                files++;
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (String line : lines) {
                    if (line.contains("LEAK:") || line.contains("AssertionError")) {
                        problems.add(f.getFileName() + ": " + line);
                    }
                }
            }
        }
        assertThat(problems).as("leak reports and failed assertions in %d log files", files).isEmpty();
        System.out.printf("ZzSecretsNotLoggedIT: %d log files: no leak report, no failed assertion%n", files);
    }
}
