package dev.agentsandbox.bench.kube;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Percentiles and medians of the figures (nearest rank). */
public final class Stats {

    private Stats() {}

    public static double percentile(Collection<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public static double median(Collection<Double> values) {
        return percentile(values, 50);
    }
}
