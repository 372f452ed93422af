package io.s3lockproxy.it;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the checker found in a chaos run; op ids in each list.
 *
 * @param chainLength         links in the final object's history
 * @param committed           writes of the counter the backend answered 2xx
 * @param lost                acknowledged (200) ops missing from the chain
 * @param refusedButCommitted refused ops that are in the chain or that the backend committed
 * @param falseCondition      committed ops missing from the chain: a later write whose If-Match was
 *                            stale overwrote them
 * @param chainErrors         the chain itself is broken (count, duplicates, links), one line each
 * @param unrecordedCommits   chain links the recorder saw no 2xx for (their answer never came back
 *                            through it); not a violation, but a blind spot of {@code falseCondition}
 */
record ChaosFindings(int chainLength, int committed, List<String> lost, List<String> refusedButCommitted,
                     List<String> falseCondition, List<String> chainErrors, List<String> unrecordedCommits) {

    ChaosFindings {
        lost = List.copyOf(lost);
        refusedButCommitted = List.copyOf(refusedButCommitted);
        falseCondition = List.copyOf(falseCondition);
        chainErrors = List.copyOf(chainErrors);
        unrecordedCommits = List.copyOf(unrecordedCommits);
    }

    /** Ops that broke a rule (each counted once) plus chain errors. */
    int violations() {
        Set<String> ops = new LinkedHashSet<>(lost);
        ops.addAll(refusedButCommitted);
        ops.addAll(falseCondition);
        return ops.size() + chainErrors.size();
    }
}
