package io.s3lockproxy.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a chaos run against "an acknowledged write is never lost and a refused write never lands".
 *
 * <p>Every write is conditional on the ETag of the value it read and appends its op id to the
 * history it read, so the final object's history is the chain of committed writes, oldest first.
 * A write that the backend committed but that is not in the chain was overwritten by a writer whose
 * condition was already stale: with conditions that hold, no such write exists.
 */
final class ChaosChecker {
    private static final String OP_HEADER = "x-amz-meta-op";

    private ChaosChecker() {
    }

    /**
     * @param ops       every op of the run with its client-visible outcome
     * @param finalBody the counter object's body on the backend after the run settled
     * @param writes    the writes of the counter the recorder saw reach the backend
     */
    static ChaosFindings check(List<ChaosOp> ops, String finalBody, List<UpstreamRecorder.Write> writes) {
        List<String> chain;
        List<String> chainErrors;
        try {
            ChaosCounter finalValue = ChaosCounter.parse(finalBody);
            chain = finalValue.history();
            chainErrors = chainErrors(ops, finalValue);
        } catch (IllegalArgumentException e) {
            chain = List.of();
            chainErrors = new ArrayList<>(List.of("the final object is no chaos counter: "
                    + finalBody.substring(0, Math.min(200, finalBody.length()))));
        }
        Set<String> inChain = new HashSet<>(chain);
        Set<String> committed = new LinkedHashSet<>();
        for (UpstreamRecorder.Write write : writes) {
            if (write.method().equals("PUT") && write.succeeded()) {
                String op = write.header(OP_HEADER);
                if (op == null) {
                    chainErrors.add("the backend committed a write of the counter without an op id");
                } else {
                    committed.add(op);
                }
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> refusedButCommitted = new ArrayList<>();
        for (ChaosOp op : ops) {
            if (op.outcome() == ChaosOutcome.ACK && !inChain.contains(op.id())) {
                lost.add(op.id());
            }
            if (op.outcome() == ChaosOutcome.REFUSED && (inChain.contains(op.id()) || committed.contains(op.id()))) {
                refusedButCommitted.add(op.id());
            }
        }
        List<String> falseCondition = committed.stream().filter(id -> !inChain.contains(id)).toList();
        List<String> unrecorded = chain.stream().filter(id -> !committed.contains(id)).toList();
        return new ChaosFindings(chain.size(), committed.size(), lost, refusedButCommitted, falseCondition,
                chainErrors, unrecorded);
    }

    /** The chain must count itself, name each op once, end in the op that wrote it, and link each op to what it read. */
    private static List<String> chainErrors(List<ChaosOp> ops, ChaosCounter finalValue) {
        List<String> errors = new ArrayList<>();
        List<String> chain = finalValue.history();
        if (finalValue.count() != chain.size()) {
            errors.add("count " + finalValue.count() + " but " + chain.size() + " ops in the history");
        }
        String last = chain.isEmpty() ? ChaosCounter.INITIAL_OP : chain.get(chain.size() - 1);
        if (!finalValue.op().equals(last)) {
            errors.add("written by " + finalValue.op() + " but the history ends in " + last);
        }
        Map<String, ChaosOp> byId = new HashMap<>();
        ops.forEach(op -> byId.put(op.id(), op));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < chain.size(); i++) {
            String id = chain.get(i);
            if (!seen.add(id)) {
                errors.add(id + " twice in the history");
            }
            ChaosOp op = byId.get(id);
            String parent = i == 0 ? ChaosCounter.INITIAL_OP : chain.get(i - 1);
            if (op == null) {
                errors.add(id + " in the history is no op of this run");
            } else if (!op.parentOp().equals(parent) || op.parentCount() != i) {
                errors.add(id + " read " + op.parentOp() + " at count " + op.parentCount() + " but follows " + parent
                        + " at position " + i);
            }
        }
        return errors;
    }
}
