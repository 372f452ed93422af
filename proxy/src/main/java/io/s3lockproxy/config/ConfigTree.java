package io.s3lockproxy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Typed, validating reads from a parsed YAML mapping; remembers what was read to reject unknown keys. */
final class ConfigTree {
    private final Map<String, Object> root;
    private final String prefix;
    private final Set<String> read = new HashSet<>();

    ConfigTree(Map<String, Object> root) {
        this(root, "");
    }

    ConfigTree(Map<String, Object> root, String prefix) {
        this.root = root;
        this.prefix = prefix;
    }

    String string(String key, String fallback) {
        Object v = lookup(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            throw new ConfigException(prefix + key, "expected a single value");
        }
        return v.toString();
    }

    String requiredString(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            throw new ConfigException(prefix + key, "is required");
        }
        return v;
    }

    boolean bool(String key, boolean fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(prefix + key, "expected true or false, got '" + v + "'");
        };
    }

    int positiveInt(String key, int fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new ConfigException(prefix + key, "must be at least 1");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(prefix + key, "expected a whole number, got '" + v + "'");
        }
    }

    Duration positiveDuration(String key, Duration fallback) {
        Duration d = duration(key, fallback);
        if (d.isZero()) {
            throw new ConfigException(prefix + key, "must be more than 0");
        }
        return d;
    }

    Duration duration(String key, Duration fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            long ms = Long.parseLong(v.trim());
            if (ms < 0) {
                throw new ConfigException(prefix + key, "must not be negative");
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new ConfigException(prefix + key, "expected milliseconds, got '" + v + "'");
        }
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v.trim())) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException(prefix + key, "expected one of " + allowed + ", got '" + v + "'");
    }

    /** Like {@link #enumValue(String, Class, Enum)} with the spellings {@code names}, one per constant in order. */
    <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback, String... names) {
        String v = string(key, null);
        if (v == null) {
            return fallback;
        }
        E[] constants = type.getEnumConstants();
        for (int i = 0; i < constants.length; i++) {
            if (names[i].equalsIgnoreCase(v.trim()) || constants[i].name().equalsIgnoreCase(v.trim())) {
                return constants[i];
            }
        }
        throw new ConfigException(prefix + key, "expected one of " + List.of(names) + ", got '" + v + "'");
    }

    List<Map<String, Object>> list(String key) {
        Object v = lookup(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> items)) {
            throw new ConfigException(prefix + key, "expected a list");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (!(item instanceof Map<?, ?> m)) {
                throw new ConfigException(prefix + key + "." + i, "expected a mapping");
            }
            out.add(stringKeys(prefix + key + "." + i, m));
        }
        return out;
    }

    /**
     * Returns a list of single values: a YAML list, or one comma-separated string (the form an
     * environment variable can carry); null when absent.
     */
    List<String> stringList(String key) {
        Object v = lookup(key);
        if (v == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> items) {
            for (int i = 0; i < items.size(); i++) {
                Object item = items.get(i);
                if (item == null || item instanceof Map<?, ?> || item instanceof List<?>) {
                    throw new ConfigException(prefix + key + "." + i, "expected a single value");
                }
                out.add(item.toString().trim());
            }
        } else if (v instanceof Map<?, ?>) {
            throw new ConfigException(prefix + key, "expected a list");
        } else {
            for (String part : v.toString().split(",", -1)) {
                out.add(part.trim());
            }
        }
        return out;
    }

    /** Returns a readable regular file, or null when absent; a missing or unreadable file names the key. */
    Path readableFile(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            return null;
        }
        Path p = Path.of(v.trim());
        if (!Files.isRegularFile(p)) {
            throw new ConfigException(prefix + key, "no such file: " + p.toAbsolutePath());
        }
        if (!Files.isReadable(p)) {
            throw new ConfigException(prefix + key, "file is not readable: " + p.toAbsolutePath());
        }
        return p;
    }

    /** Throws for the first key in the tree that no read asked for. */
    void rejectUnknown() {
        rejectUnknown(root, "");
    }

    private void rejectUnknown(Map<String, Object> map, String path) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String key = path + e.getKey();
            if (read.contains(key)) {
                continue;
            }
            if (e.getValue() instanceof Map<?, ?> child && read.stream().anyMatch(r -> r.startsWith(key + "."))) {
                rejectUnknown(stringKeys(prefix + key, child), key + ".");
                continue;
            }
            throw new ConfigException(prefix + key, "unknown key (see the configuration reference in README.md)");
        }
    }

    private Object lookup(String key) {
        read.add(key);
        Object node = root;
        for (String part : key.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(part);
        }
        return node;
    }

    static Map<String, Object> stringKeys(String where, Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new ConfigException(where, "keys must be strings, got " + e.getKey());
            }
            out.put(k, e.getValue());
        }
        return out;
    }
}
