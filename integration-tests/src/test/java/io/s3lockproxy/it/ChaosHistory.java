package io.s3lockproxy.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every op of a chaos run, in the order their outcomes became known; safe for concurrent writers. */
final class ChaosHistory {
    private final Map<String, ChaosOp> ops = Collections.synchronizedMap(new LinkedHashMap<>());

    void record(ChaosOp op) {
        if (ops.putIfAbsent(op.id(), op) != null) {
            throw new IllegalStateException("op id used twice: " + op.id());
        }
    }

    List<ChaosOp> all() {
        synchronized (ops) {
            return new ArrayList<>(ops.values());
        }
    }
}
