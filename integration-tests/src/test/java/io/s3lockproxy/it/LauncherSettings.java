package io.s3lockproxy.it;

import java.util.List;

/** The JVM settings {@code bin/s3-lock-proxy} starts the proxy with (LauncherIT checks the script has them). */
public final class LauncherSettings {
    /** Serial collector and a heap that starts small: a sidecar's idle cost (README "Sidecar footprint"). */
    public static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmn4m");

    private LauncherSettings() {
    }
}
