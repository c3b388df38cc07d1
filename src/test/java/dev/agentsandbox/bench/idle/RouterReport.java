package dev.agentsandbox.bench.idle;

import static dev.agentsandbox.bench.idle.RouterActivityBench.DEFAULT_INTERVAL;
import static dev.agentsandbox.bench.idle.RouterActivityBench.INTERVAL;
import static dev.agentsandbox.bench.idle.RouterActivityBench.ROUNDS;
import static dev.agentsandbox.bench.idle.RouterActivityBench.SANDBOXES;
import static dev.agentsandbox.bench.idle.RouterActivityBench.SECONDS;
import static dev.agentsandbox.bench.idle.RouterActivityBench.VARIANTS;

import dev.agentsandbox.bench.idle.RouterActivityBench.Round;
import dev.agentsandbox.bench.kube.Stats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The figures of {@link RouterActivityBench}: throughput and CPU per request of each router (medians over its
 * rounds, and its ratio to the router with tracking off in each set of rounds), and the activity writes of the
 * router publishing every second, scaled to the default interval.
 *
 * @param writes patches on Sandboxes the on-1s router's API server answered during the rounds (and 3 intervals after)
 * @param writtenByMetric the same, as the router's own metric counts them
 */
record RouterReport(
        List<Round> rounds,
        long writes,
        double writtenByMetric,
        long writesRefused,
        long writesWithTrackingOff,
        String loadBefore,
        String loadAfter) {

    void write(Path out) throws IOException {
        StringBuilder tsv = new StringBuilder(
                "mode\tset\trequests\treq_per_s\tp50_ms\tp99_ms\tcpu_us_per_req\tsandbox_patches\terrors\tload\n");
        for (Round r : rounds) {
            tsv.append(String.format(
                    Locale.ROOT,
                    "%s\t%d\t%d\t%.0f\t%.3f\t%.3f\t%.1f\t%d\t%s\t%s%n",
                    r.mode(),
                    r.set(),
                    r.wrk().requests(),
                    r.wrk().requestsPerSecond(),
                    r.wrk().p50Millis(),
                    r.wrk().p99Millis(),
                    r.cpuMicrosPerRequest(),
                    r.patches(),
                    r.wrk().errors(),
                    r.load()));
        }
        Files.writeString(out.resolve("router.tsv"), tsv);
        String md = throughput() + "\n" + activityWrites();
        Files.writeString(out.resolve("router.md"), md);
        System.out.println(md);
    }

    String throughput() {
        StringBuilder md = new StringBuilder(String.format(
                Locale.ROOT,
                "## Router throughput: activity tracking off, on (60 s), on (publishing every %s)%n%n"
                        + "Load average before the rounds: %s; after: %s. %d sandboxes (each request for the next), "
                        + "wrk -t2 -c%d, %d s per round, %d rounds per router in sets (off, on, on-1s, then "
                        + "reversed).%n%n"
                        + "| tracking | req/s (median) | vs off | p50 ms | p99 ms | router CPU us/req | vs off | "
                        + "req/s vs off, per set |%n|---|---|---|---|---|---|---|---|%n",
                INTERVAL,
                loadBefore,
                loadAfter,
                SANDBOXES,
                RouterActivityBench.CONNECTIONS,
                SECONDS,
                ROUNDS));
        ToDoubleFunction<Round> rps = r -> r.wrk().requestsPerSecond();
        for (RouterActivityBench.Variant variant : VARIANTS) {
            String mode = variant.name();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.3f | %.3f | %.3f | %.2f | %.3f | %s |%n",
                    mode,
                    median(mode, rps),
                    median(mode, rps) / median("off", rps),
                    median(mode, r -> r.wrk().p50Millis()),
                    median(mode, r -> r.wrk().p99Millis()),
                    median(mode, Round::cpuMicrosPerRequest),
                    median(mode, Round::cpuMicrosPerRequest) / median("off", Round::cpuMicrosPerRequest),
                    perSet(mode)));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nErrors (non-2xx, sockets): %s.%n",
                rounds.stream().map(r -> r.wrk().errors()).distinct().toList()));
        return md.toString();
    }

    String activityWrites() {
        double busySeconds = ROUNDS * SECONDS;
        double interval = INTERVAL.toMillis() / 1000.0;
        double defaultInterval = DEFAULT_INTERVAL.toSeconds();
        double sandboxHours = SANDBOXES * busySeconds / 3600;
        double share = writes / (SANDBOXES * busySeconds / interval);
        // the publisher runs with a fixed delay: its period is the interval plus the time a publishing pass takes
        double pass = interval / share - interval;
        long requests = rounds.stream()
                .filter(r -> r.mode().equals("on-1s"))
                .mapToLong(r -> r.wrk().requests())
                .sum();
        return String.format(
                Locale.ROOT,
                "## Activity writes (router on-1s)%n%n"
                        + "Patches on Sandboxes its API server answered: W = %d (refused: %d; the router's metric "
                        + "sandbox_router_activity_writes_total{result=\"written\"} counted %.0f), over T = %.0f s of "
                        + "steady traffic to each of N = %d sandboxes (%.4f sandbox-hours, %.0f requests per "
                        + "sandbox-hour) at the interval I = %.0f s. With tracking off: %d.%n%n"
                        + "- measured: W / (N x T / 3600) = %.0f writes per sandbox-hour at I = %.0f s, that is "
                        + "W / (N x T / I) = %.3f writes per sandbox per interval;%n"
                        + "- the publisher waits I after each pass (a fixed delay), so its period is I + p, with p = "
                        + "I / %.3f - I = %.0f ms for the %d sandboxes here;%n"
                        + "- at the default interval: 3600 s / (60 s + p) = **%.1f writes per sandbox-hour**; "
                        + "scaling the measured share alone, 3600 s / 60 s x %.3f = %.1f (a lower bound: p counts "
                        + "60 times less there).%n",
                writes,
                writesRefused,
                writtenByMetric,
                busySeconds,
                SANDBOXES,
                sandboxHours,
                requests / sandboxHours,
                interval,
                writesWithTrackingOff,
                writes / sandboxHours,
                interval,
                share,
                share,
                pass * 1000,
                SANDBOXES,
                3600 / (defaultInterval + pass),
                share,
                3600 / defaultInterval * share);
    }

    private double median(String mode, ToDoubleFunction<Round> figure) {
        return Stats.median(rounds.stream()
                .filter(r -> r.mode().equals(mode))
                .map(figure::applyAsDouble)
                .toList());
    }

    private String perSet(String mode) {
        StringBuilder ratios = new StringBuilder();
        for (int set = 1; set <= ROUNDS; set++) {
            ratios.append(set > 1 ? ", " : "")
                    .append(String.format(
                            Locale.ROOT, "%.3f", requestsPerSecond(mode, set) / requestsPerSecond("off", set)));
        }
        return ratios.toString();
    }

    private double requestsPerSecond(String mode, int set) {
        return rounds.stream()
                .filter(r -> r.set() == set && r.mode().equals(mode))
                .findFirst()
                .orElseThrow()
                .wrk()
                .requestsPerSecond();
    }

    static String loadAverage() throws IOException {
        return String.join(
                " ",
                List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    }
}
