package io.s3lockproxy.config;

/** A configuration problem, named by the key it concerns. */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String problem) {
        super("config key '" + key + "': " + problem);
        this.key = key;
    }

    /** Returns the dotted key the problem is about. */
    public String key() {
        return key;
    }
}
