package io.s3lockproxy.it;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of the chaos test's counter object: {@code {"count": n, "op": "<id>", "history": [ids]}}.
 * Every write appends its own op id to the history it read, so the object names every write its
 * chain of reads and writes is made of, oldest first.
 */
record ChaosCounter(long count, String op, List<String> history) {
    static final String INITIAL_OP = "init";
    private static final Pattern COUNT = Pattern.compile("\"count\"\\s*:\\s*(\\d+)");
    private static final Pattern OP = Pattern.compile("\"op\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern HISTORY = Pattern.compile("\"history\"\\s*:\\s*\\[([^\\]]*)\\]\\s*}\\s*$");
    private static final Pattern ID = Pattern.compile("\"([^\"]*)\"");

    ChaosCounter {
        history = List.copyOf(history);
    }

    static ChaosCounter initial() {
        return new ChaosCounter(0, INITIAL_OP, List.of());
    }

    /** The value {@code op} writes on top of this one. */
    ChaosCounter next(String op) {
        List<String> longer = new ArrayList<>(history);
        longer.add(op);
        return new ChaosCounter(count + 1, op, longer);
    }

    String toJson() {
        StringBuilder json = new StringBuilder("{\"count\": ").append(count).append(", \"op\": \"").append(op)
                .append("\", \"history\": [");
        for (int i = 0; i < history.size(); i++) {
            json.append(i == 0 ? "\"" : ", \"").append(history.get(i)).append('"');
        }
        return json.append("]}").toString();
    }

    /** Parses what {@link #toJson()} wrote; throws IllegalArgumentException for anything else (e.g. a torn body). */
    static ChaosCounter parse(String json) {
        Matcher count = COUNT.matcher(json);
        Matcher op = OP.matcher(json);
        Matcher history = HISTORY.matcher(json);
        if (!count.find() || !op.find() || !history.find()) {
            throw new IllegalArgumentException("not a chaos counter: " + json);
        }
        List<String> ids = new ArrayList<>();
        Matcher id = ID.matcher(history.group(1));
        while (id.find()) {
            ids.add(id.group(1));
        }
        return new ChaosCounter(Long.parseLong(count.group(1)), op.group(1), ids);
    }
}
