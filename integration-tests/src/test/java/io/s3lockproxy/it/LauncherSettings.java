package io.s3lockproxy.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The JVM settings {@code bin/s3-lock-proxy} starts the proxy with (LauncherIT checks the script has them). */
public final class LauncherSettings {
    /**
     * Serial collector, a heap that starts small, compile thresholds five times the default (less
     * compiled start-up code): a sidecar's idle cost (README "Sidecar footprint").
     */
    public static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmn4m",
            "-XX:CompileThresholdScaling=5");
    /** Added by the launcher where the JVM has them (JDK 17.0.9 and later). */
    public static final List<String> TRIM_OPTIONS = List.of("-XX:+UnlockExperimentalVMOptions",
            "-XX:TrimNativeHeapInterval=5000");

    private LauncherSettings() {
    }

    /** What the launcher would start this JVM's {@code java} with: the options, and trimming where it starts. */
    public static List<String> forThisJava() {
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        if (javaStartsWith(TRIM_OPTIONS)) {
            options.addAll(TRIM_OPTIONS);
        }
        return options;
    }

    private static boolean javaStartsWith(List<String> options) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaExecutable().toString());
        command.addAll(options);
        command.add("-version");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
