package io.s3lockproxy.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Measures several targets in turn, round after round, so that they can be compared in one run.
 * A pass measures every target once; every other pass runs them in reverse order, so that no
 * target always runs on a colder or warmer backend than another (the backend keeps getting faster
 * over a run). Compare a target's rounds for the noise; report its median.
 */
final class Rounds {

    /** One measurement of one target; {@code round} counts from 0. */
    interface Measurement<T, R> {
        R measure(T target, int round) throws InterruptedException;
    }

    private Rounds() {
    }

    /**
     * Returns each target's results in round order, keyed in the order of {@code targets}, after
     * measuring every target {@code rounds} times.
     *
     * @param firstPass the number of the first pass within the whole run: a tool that measures
     *                  several rows passes on its count, so that the order also alternates from
     *                  one row to the next when it runs one round per row
     */
    static <T, R> Map<T, List<R>> measure(List<T> targets, int rounds, int firstPass, Measurement<T, R> measurement)
            throws InterruptedException {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, not " + rounds);
        }
        Map<T, List<R>> results = new LinkedHashMap<>();
        targets.forEach(t -> results.put(t, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (T target : inOrder(targets, firstPass + round)) {
                results.get(target).add(measurement.measure(target, round));
            }
        }
        return results;
    }

    /** Returns {@code targets} in the order of pass {@code pass}: as given on even passes, reversed on odd ones. */
    private static <T> List<T> inOrder(List<T> targets, int pass) {
        List<T> order = new ArrayList<>(targets);
        if (pass % 2 == 1) {
            Collections.reverse(order);
        }
        return order;
    }

    /**
     * Returns the result whose {@code key} is the median (of an even count, the upper middle one),
     * whole: its other figures come from the same round.
     */
    static <R> R median(List<R> results, ToDoubleFunction<R> key) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no results to take the median of");
        }
        List<R> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(key));
        return sorted.get(sorted.size() / 2);
    }
}
