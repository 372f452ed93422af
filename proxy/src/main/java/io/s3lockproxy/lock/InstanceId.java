package io.s3lockproxy.lock;

/** The id of this proxy process in lock diagnostics: host name (container name in a pod) and pid. */
final class InstanceId {
    private static final String ID = compute();

    private InstanceId() {
    }

    static String get() {
        return ID;
    }

    private static String compute() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            host = System.getenv("COMPUTERNAME");
        }
        if (host == null || host.isBlank()) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
