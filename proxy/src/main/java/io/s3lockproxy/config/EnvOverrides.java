package io.s3lockproxy.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Applies {@code S3LP_…} environment variables onto the parsed YAML tree. */
final class EnvOverrides {
    private static final Pattern LIST_ITEM = Pattern.compile("S3LP_CREDENTIALS_(\\d+)_(.+)");

    private EnvOverrides() {
    }

    static void apply(Map<String, Object> root, Map<String, String> env) {
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ConfigKeys.ENV_PREFIX)) {
                continue;
            }
            Matcher item = LIST_ITEM.matcher(name);
            if (item.matches()) {
                setCredential(root, Integer.parseInt(item.group(1)), name, e.getValue());
            } else {
                set(root, keyFor(name), e.getValue());
            }
        }
    }

    private static List<String> keyFor(String envName) {
        String key = ConfigKeys.keyForEnv(envName)
                .filter(k -> !k.contains("[]"))
                .orElseThrow(() -> new ConfigException(envName, "environment variable names no configuration key"));
        return Arrays.asList(key.split("\\."));
    }

    @SuppressWarnings("unchecked")
    private static void setCredential(Map<String, Object> root, int index, String envName, String value) {
        String key = ConfigKeys.keyForEnv(envName)
                .filter(k -> k.startsWith("credentials[]."))
                .map(k -> k.substring("credentials[].".length()))
                .orElseThrow(() -> new ConfigException(envName, "environment variable names no configuration key"));
        Object list = root.get("credentials");
        List<Object> items = list instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        while (items.size() <= index) {
            items.add(new LinkedHashMap<String, Object>());
        }
        Map<String, Object> entry = new LinkedHashMap<>((Map<String, Object>) items.get(index));
        entry.put(key, value);
        items.set(index, entry);
        root.put("credentials", items);
    }

    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> root, List<String> path, String value) {
        Map<String, Object> node = root;
        for (String part : path.subList(0, path.size() - 1)) {
            Object child = node.get(part);
            Map<String, Object> next = child instanceof Map<?, ?> m
                    ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
            node.put(part, next);
            node = next;
        }
        node.put(path.get(path.size() - 1), value);
    }
}
