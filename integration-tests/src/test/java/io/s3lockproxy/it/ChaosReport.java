package io.s3lockproxy.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One chaos run: what it ran against, its ops, the faults injected and what the checker found.
 *
 * @param mode    {@code lock.mode}, with {@code -no-redis} for the control run
 * @param backend what the proxies forward to
 * @param seed    the run's seed: the writers' choices and the nemesis' schedule repeat with it (their timing does not)
 */
record ChaosReport(String mode, String backend, long seed, List<ChaosOp> ops, Map<ChaosFault, Integer> faults,
                   ChaosFindings findings) {

    ChaosReport {
        ops = List.copyOf(ops);
        faults = Map.copyOf(faults);
    }

    long withStatus(int status) {
        return ops.stream().filter(op -> op.status() == status).count();
    }

    long withOutcome(ChaosOutcome outcome) {
        return ops.stream().filter(op -> op.outcome() == outcome).count();
    }

    /** One line: counts of ops by answer, faults by kind, and the checker's findings. */
    String summary() {
        long otherRefusals = withOutcome(ChaosOutcome.REFUSED) - withStatus(412) - withStatus(503);
        String faultCounts = faults.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().label + "=" + e.getValue()).collect(Collectors.joining(" ", "[", "]"));
        ChaosFindings f = findings;
        return String.format("ChaosIT mode=%s backend=%s seed=%d ops=%d 200=%d 412=%d 503=%d otherRefused=%d"
                        + " unknown=%d faults=%s lost=%d refusedButCommitted=%d falseCondition=%d chainErrors=%d"
                        + " violations=%d (chain=%d committed=%d unrecordedCommits=%d)",
                mode, backend, seed, ops.size(), withStatus(200), withStatus(412), withStatus(503), otherRefusals,
                withOutcome(ChaosOutcome.UNKNOWN), faultCounts, f.lost().size(), f.refusedButCommitted().size(),
                f.falseCondition().size(), f.chainErrors().size(), f.violations(), f.chainLength(), f.committed(),
                f.unrecordedCommits().size());
    }

    /** The violating ops as recorded (up to {@code limit} per rule), for failure messages. */
    String details(int limit) {
        Map<String, ChaosOp> byId = ops.stream().collect(Collectors.toMap(ChaosOp::id, op -> op));
        List<String> lines = new ArrayList<>();
        describe(lines, "lost", findings.lost(), byId, limit);
        describe(lines, "refused but committed", findings.refusedButCommitted(), byId, limit);
        describe(lines, "false condition", findings.falseCondition(), byId, limit);
        findings.chainErrors().stream().limit(limit).forEach(e -> lines.add("chain: " + e));
        return String.join("\n", lines);
    }

    private static void describe(List<String> lines, String rule, List<String> ids, Map<String, ChaosOp> byId,
                                 int limit) {
        ids.stream().limit(limit).forEach(id -> lines.add(rule + ": " + (byId.containsKey(id) ? byId.get(id) : id)));
        if (ids.size() > limit) {
            lines.add(rule + ": … " + (ids.size() - limit) + " more");
        }
    }
}
