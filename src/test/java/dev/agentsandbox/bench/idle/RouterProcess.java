package dev.agentsandbox.bench.idle;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application in role router, as its JVM image runs it (the flags of
 * {@code src/main/docker/router.jvm-options}, an argument file, and {@code MALLOC_ARENA_MAX=2}), with per-owner
 * tokens, one event loop (as bench/router/run.sh runs it) and the given settings, against one API server.
 */
final class RouterProcess implements AutoCloseable {

    static final Path APP = Path.of("target", "quarkus-app");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String name;
    final int port;
    final int managementPort;
    private final Process process;

    RouterProcess(String name, String apiServerUrl, Map<String, String> settings, Path log) throws IOException {
        this.name = name;
        this.port = freePort();
        this.managementPort = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "@" + Path.of("src", "main", "docker", "router.jvm-options"),
                "-jar",
                APP.resolve("quarkus-run.jar").toString(),
                "router"));
        ProcessBuilder builder =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("MALLOC_ARENA_MAX", "2");
        env.put("SANDBOX_ROUTER_OWNER_TOKENS_ENABLED", "true");
        env.put("SANDBOX_ROUTER_EVENT_LOOPS", "1");
        env.put("SANDBOX_ROUTER_HOST", "127.0.0.1");
        env.put("SANDBOX_ROUTER_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(managementPort));
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", apiServerUrl);
        env.putAll(settings);
        process = builder.start();
    }

    /** Waits until a request for {@code sandbox} is routed (200), or fails after {@code atMost}. */
    void awaitRouting(String sandbox, String token, String backendPort, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        int status = -1;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                status = HTTP.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/small.txt"))
                                        .header("Authorization", "Bearer " + token)
                                        .header("X-Sandbox-ID", sandbox)
                                        .header("X-Sandbox-Namespace", CountingApiServer.NAMESPACE)
                                        .header("X-Sandbox-Port", backendPort)
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("router " + name + " is not routing (last status " + status + ")");
    }

    /** CPU time (user + system) of the router process so far, in clock ticks (1/100 s on Linux). */
    long cpuTicks() throws IOException {
        String[] stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"))
                .replaceFirst("^.*\\) ", "")
                .split(" ");
        // after "pid (comm) ": state is field 3, utime field 14 and stime field 15 of the whole line
        return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
    }

    /** The activity publications this router counts as written ({@code sandbox_router_activity_writes_total}). */
    double activityWritten() throws Exception {
        String body = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return body.lines()
                .filter(l -> l.startsWith("sandbox_router_activity_writes_total{result=\"written\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
