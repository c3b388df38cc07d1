package dev.agentsandbox.bench.idle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the router's activity tracking costs (docs/benchmarks.md, "Idle sleep"). Three routers of the packaged build,
 * each with its own API server ({@link CountingApiServer}, which counts the patches on Sandboxes it answers) holding
 * the same {@code bench.sandboxes} Ready Sandboxes, in front of one cheap backend (a Vert.x server answering 15
 * bytes): {@code off} ({@code sandbox.router.activity-tracking=false}), {@code on} (tracking on, the default 60 s
 * interval: the throughput goal compares these two) and {@code on-1s} (tracking on, publishing every
 * {@code bench.intervalMillis}, 1 s: 60 times as often, so that an hour's writes show in a minute). After a warm-up
 * of each, wrk drives them in turn, {@code bench.rounds} rounds each, in the order off, on, on-1s, then reversed,
 * and so on, so that a drift of the machine's load meets all alike; each request goes to the next Sandbox in turn,
 * so every Sandbox has steady traffic throughout a round. Figures in {@code target/bench-idle/router.md} and
 * {@code router.tsv}; run through {@code bench/idle/run.sh}.
 */
@Tag("bench")
class RouterActivityBench {

    static final Path OUT = Path.of("target", "bench-idle");
    static final String BACKEND_IP = "127.0.0.2";
    static final int SANDBOXES = Integer.getInteger("bench.sandboxes", 10);
    static final int ROUNDS = Integer.getInteger("bench.rounds", 4);
    static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 20);
    static final int CONNECTIONS = Integer.getInteger("bench.connections", 50);
    static final Duration INTERVAL = Duration.ofMillis(Long.getLong("bench.intervalMillis", 1000));
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    /** A router's settings under test. */
    record Variant(String name, boolean tracking, Duration interval) {}

    static final List<Variant> VARIANTS = List.of(
            new Variant("off", false, DEFAULT_INTERVAL),
            new Variant("on", true, DEFAULT_INTERVAL),
            new Variant("on-1s", true, INTERVAL));

    /** One wrk run against one router, and what its router and API server did meanwhile. */
    record Round(String mode, int set, Wrk.Result wrk, double cpuMicrosPerRequest, long patches, String load) {}

    @Test
    void throughputWithActivityTrackingOnAndOffAndTheWritesItCauses() throws Exception {
        assumeTrue(Files.isRegularFile(RouterProcess.APP.resolve("quarkus-run.jar")), "run ./mvnw package first");
        assumeTrue(onPath("wrk"), "wrk is not on the PATH: apt-get install -y wrk");
        Files.createDirectories(OUT.resolve("logs"));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        List<Target> targets = new ArrayList<>();
        try {
            String backendPort = Integer.toString(startBackend(vertx));
            for (Variant variant : VARIANTS) {
                targets.add(new Target(variant, backendPort));
            }
            for (Target target : targets) {
                target.awaitRouting();
            }
            for (Target target : targets) {
                target.warmUp(WARMUP_SECONDS);
            }
            Thread.sleep(3 * INTERVAL.toMillis()); // the warm-up's last activity is published before counting
            Target counted = targets.get(2);
            long patchesBefore = counted.api.sandboxPatches();
            double writtenBefore = counted.router.activityWritten();
            String loadBefore = RouterReport.loadAverage();
            List<Round> rounds = new ArrayList<>();
            for (int set = 1; set <= ROUNDS; set++) {
                List<Target> order = new ArrayList<>(targets);
                if (set % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Target target : order) {
                    rounds.add(target.round(set));
                }
            }
            Thread.sleep(3 * INTERVAL.toMillis()); // and the last round's
            RouterReport report = new RouterReport(
                    rounds,
                    counted.api.sandboxPatches() - patchesBefore,
                    counted.router.activityWritten() - writtenBefore,
                    counted.api.sandboxPatchesRefused(),
                    targets.get(0).api.sandboxPatches(),
                    loadBefore,
                    RouterReport.loadAverage());
            report.write(OUT);
            assertThat(targets.get(0).api.sandboxPatches())
                    .as("patches from the router with tracking off")
                    .isZero();
            assertThat(report.writes())
                    .as("at most one write per sandbox per interval, plus each round's last activity")
                    .isPositive()
                    .isLessThanOrEqualTo(SANDBOXES * (ROUNDS * (SECONDS * 1000 / INTERVAL.toMillis() + 2)));
        } finally {
            for (Target target : targets) {
                target.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A router with its own API server, and the wrk that drives it. */
    static final class Target implements AutoCloseable {
        final Variant variant;
        final CountingApiServer api;
        final RouterProcess router;
        final Wrk wrk;

        Target(Variant variant, String backendPort) throws Exception {
            this.variant = variant;
            this.api = new CountingApiServer(SANDBOXES, BACKEND_IP);
            this.router = new RouterProcess(
                    variant.name(),
                    api.url(),
                    java.util.Map.of(
                            "SANDBOX_ROUTER_ACTIVITY_TRACKING", Boolean.toString(variant.tracking()),
                            "SANDBOX_ROUTER_ACTIVITY_INTERVAL",
                                    variant.interval().toString()),
                    OUT.resolve("logs").resolve("router-" + variant.name() + ".log"));
            this.wrk = Wrk.rotating(OUT, SANDBOXES, 2, CONNECTIONS, SECONDS, api.aliceToken, backendPort);
        }

        void awaitRouting() throws Exception {
            router.awaitRouting("bench-1", api.aliceToken, wrk.backendPort(), Duration.ofSeconds(180));
        }

        void warmUp(int seconds) throws Exception {
            new Wrk(wrk.script(), 2, CONNECTIONS, seconds, wrk.token(), wrk.backendPort()).run(router.port);
        }

        Round round(int set) throws Exception {
            long patches = api.sandboxPatches();
            long ticks = router.cpuTicks();
            Wrk.Result result = wrk.run(router.port);
            double cpu = (router.cpuTicks() - ticks) * 10_000.0 / result.requests(); // 100 ticks per second
            Round round = new Round(
                    variant.name(), set, result, cpu, api.sandboxPatches() - patches, RouterReport.loadAverage());
            System.out.printf(
                    Locale.ROOT,
                    "BENCH tracking %s set %d: %.0f req/s, p99 %.2f ms, %.1f us CPU/req, %d patches, load %s%n",
                    round.mode(),
                    set,
                    result.requestsPerSecond(),
                    result.p99Millis(),
                    cpu,
                    round.patches(),
                    round.load());
            return round;
        }

        @Override
        public void close() throws Exception {
            router.close();
            api.close();
        }
    }

    /** The sandboxes' backend: 15 bytes per answer on one event loop, as cheap as nginx's static file. */
    static int startBackend(Vertx vertx) throws Exception {
        int port = RouterProcess.freePort();
        vertx.createHttpServer()
                .requestHandler(request -> request.response().end("hello, sandbox\n"))
                .listen(port, BACKEND_IP)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return port;
    }

    static boolean onPath(String tool) {
        return Arrays.stream(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }
}
