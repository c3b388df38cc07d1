package dev.agentsandbox.bench.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The report: per scenario one table with both controllers' medians over the rounds, the factor by which ours is
 * better (above 1) or worse (below 1), and every round's value; then the API requests by verb and resource; and the
 * raw rows as JSON.
 */
final class BenchReport {

    private final List<Measured> rows = new ArrayList<>();
    private final Map<String, String> header = new LinkedHashMap<>();

    void add(Measured m) {
        rows.add(m);
        System.out.printf(
                Locale.ROOT,
                "BENCH-KUBE round %d %s %s %s writes=%d (%.2f per unit) cpu=%.1fs rss=%.0fMiB%n",
                m.round(),
                m.controller(),
                m.scenario(),
                m.figures(),
                m.requests().writes(),
                m.writesPerUnit(),
                m.cpuSeconds(),
                m.peakRssMib());
    }

    void header(String key, String value) {
        header.put(key, value);
    }

    void write(Path dir, double capacityPerSecond) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(dir.resolve("results.json").toFile(), Map.of("header", header, "rows", rows));
        StringBuilder md = new StringBuilder();
        header.forEach(
                (k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        for (String scenario : distinct(rows.stream().map(Measured::scenario).toList())) {
            md.append("\n### ").append(scenario).append("\n\n");
            boolean before = controllers().contains("ours-before");
            md.append("| figure | ours | upstream | ours better by |"
                    + (before ? " ours-before | ours better than before by |" : "")
                    + " ours per round | upstream per round |" + (before ? " ours-before per round |" : "") + "\n");
            md.append("|---|---|---|---|" + (before ? "---|---|" : "") + "---|---|" + (before ? "---|" : "") + "\n");
            Map<String, Map<String, List<Double>>> byFigure = figures(scenario, capacityPerSecond);
            byFigure.forEach((figure, byController) -> md.append(line(figure, byController)));
            md.append(requests(scenario));
        }
        Files.writeString(dir.resolve("results.md"), md.toString());
        System.out.println(md);
    }

    private Map<String, Map<String, List<Double>>> figures(String scenario, double capacityPerSecond) {
        Map<String, Map<String, List<Double>>> out = new LinkedHashMap<>();
        for (Measured m : rows) {
            if (!m.scenario().equals(scenario)) {
                continue;
            }
            Map<String, Double> all = new LinkedHashMap<>(m.figures());
            if (m.units() > 0) {
                all.put("API writes", (double) m.requests().writes());
                all.put("API writes per sandbox or claim", m.writesPerUnit());
                all.put("floor: writes / write capacity, seconds", m.requests().writes() / capacityPerSecond);
                all.put("API requests (all verbs)", (double) m.requests().total());
                all.put("controller CPU seconds", m.cpuSeconds());
                all.put("controller peak RSS MiB", m.peakRssMib());
            }
            all.forEach((k, v) -> out.computeIfAbsent(k, x -> new LinkedHashMap<>())
                    .computeIfAbsent(m.controller(), x -> new ArrayList<>())
                    .add(v));
        }
        return out;
    }

    private String line(String figure, Map<String, List<Double>> byController) {
        List<Double> ours = byController.getOrDefault("ours", List.of());
        List<Double> upstream = byController.getOrDefault("upstream", List.of());
        StringBuilder line = new StringBuilder("| " + figure + " | " + fmt(Stats.median(ours)) + " | "
                + fmt(Stats.median(upstream)) + " | " + better(figure, ours, upstream) + " |");
        boolean before = controllers().contains("ours-before");
        List<Double> earlier = byController.getOrDefault("ours-before", List.of());
        if (before) {
            line.append(" ")
                    .append(fmt(Stats.median(earlier)))
                    .append(" | ")
                    .append(better(figure, ours, earlier))
                    .append(" |");
        }
        line.append(" ").append(join(ours)).append(" | ").append(join(upstream)).append(" |");
        if (before) {
            line.append(" ").append(join(earlier)).append(" |");
        }
        return line.append("\n").toString();
    }

    /** By what factor {@code a} is better than {@code b} (above 1: better), for figures where that has a meaning. */
    private static String better(String figure, List<Double> a, List<Double> b) {
        double x = Stats.median(a);
        double y = Stats.median(b);
        if (a.isEmpty() || b.isEmpty() || !comparable(figure) || !(x > 0) || !(y > 0)) {
            return "";
        }
        return fmt(higherIsBetter(figure) ? x / y : y / x) + "x";
    }

    private List<String> controllers() {
        return new ArrayList<>(distinct(rows.stream().map(Measured::controller).toList()));
    }

    private String requests(String scenario) {
        Set<String> keys = new TreeSet<>();
        rows.stream()
                .filter(m -> m.scenario().equals(scenario))
                .forEach(m -> keys.addAll(m.requests().byVerbAndResource().keySet()));
        if (keys.isEmpty()) {
            return "";
        }
        StringBuilder md =
                new StringBuilder("\nAPI requests by verb and resource (median over the rounds):\n\n| request | "
                        + String.join(" | ", controllers()) + " |\n|---"
                        + "|---".repeat(controllers().size())
                        + "|\n");
        for (String key : keys) {
            md.append("| ").append(key);
            for (String c : controllers()) {
                List<Double> v = rows.stream()
                        .filter(m ->
                                m.scenario().equals(scenario) && m.controller().equals(c))
                        .map(m -> (double) m.requests().byVerbAndResource().getOrDefault(key, 0))
                        .toList();
                md.append(" | ").append(v.isEmpty() ? "" : fmt(Stats.median(v)));
            }
            md.append(" |\n");
        }
        return md.toString();
    }

    private static boolean comparable(String figure) {
        return !figure.startsWith("peak members")
                && !figure.startsWith("members ever")
                && !figure.equals("claims")
                && !figure.startsWith("distinct")
                && !figure.startsWith("warm")
                && !figure.startsWith("overshoot")
                && !figure.startsWith("double")
                && !figure.startsWith("controller restarts")
                && !figure.startsWith("timed out");
    }

    private static boolean higherIsBetter(String figure) {
        return figure.contains("per second");
    }

    private static String join(List<Double> values) {
        return String.join(", ", values.stream().map(BenchReport::fmt).toList());
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    private static Set<String> distinct(List<String> values) {
        return new LinkedHashSet<>(values);
    }
}
