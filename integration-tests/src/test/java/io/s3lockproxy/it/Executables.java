package io.s3lockproxy.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

final class Executables {
    private Executables() {
    }

    static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Skips the calling test (a JUnit assumption, counted as skipped) unless {@code name} is on
     * PATH, and says so on stderr: the build log shows which tests did not run and why, not only a
     * skip count. {@code .ci/run} installs every tool, so CI runs them all.
     */
    static void assumeOnPath(String name, String tool) {
        if (onPath(name)) {
            return;
        }
        String test = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass().getSimpleName();
        String reason = tool + " (" + name + ") is not on PATH; install it to run this test (.ci/run does)";
        System.err.println("SKIPPED " + test + ": " + reason);
        assumeTrue(false, reason);
    }
}
