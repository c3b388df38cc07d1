package dev.agentsandbox.bench.idle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk (from Debian) against a router: {@code threads} threads, {@code connections} connections, for {@code seconds},
 * each request for the next of the {@code sandboxes} Sandboxes {@code bench-1..N} in turn (a Lua script sets
 * {@code X-Sandbox-ID}), all as alice.
 */
record Wrk(Path script, int threads, int connections, int seconds, String token, String backendPort) {

    /** One run's figures: requests, requests per second, latency percentiles in ms, and non-2xx or socket errors. */
    record Result(long requests, double requestsPerSecond, double p50Millis, double p99Millis, String errors) {}

    static Wrk rotating(Path dir, int sandboxes, int threads, int connections, int seconds, String token, String port)
            throws IOException {
        Path script = dir.resolve("rotate-sandboxes.lua");
        Files.writeString(
                script,
                """
                -- each request for the next Sandbox bench-1..N, so that every Sandbox sees steady traffic
                local n = %d
                local i = 0
                request = function()
                  i = (i %% n) + 1
                  wrk.headers["X-Sandbox-ID"] = "bench-" .. i
                  return wrk.format(nil, "/small.txt")
                end
                """
                        .formatted(sandboxes));
        return new Wrk(script, threads, connections, seconds, token, port);
    }

    Result run(int routerPort) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                "wrk",
                "-t" + threads,
                "-c" + connections,
                "-d" + seconds + "s",
                "--latency",
                "-s",
                script.toString(),
                "-H",
                "Authorization: Bearer " + token,
                "-H",
                "X-Sandbox-Namespace: " + CountingApiServer.NAMESPACE,
                "-H",
                "X-Sandbox-Port: " + backendPort,
                "http://127.0.0.1:" + routerPort + "/small.txt"));
        Process wrk = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        return parse(out);
    }

    static Result parse(String out) {
        List<String> errors = out.lines()
                .filter(l -> l.contains("Non-2xx") || l.contains("Socket errors"))
                .map(String::trim)
                .toList();
        return new Result(
                Long.parseLong(find(out, "(\\d+) requests in")),
                Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)")),
                millis(find(out, "\\n\\s+50%\\s+(\\S+)")),
                millis(find(out, "\\n\\s+99%\\s+(\\S+)")),
                errors.isEmpty() ? "none" : String.join("; ", errors));
    }

    private static String find(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in wrk's output: " + out);
        }
        return m.group(1);
    }

    /** wrk writes 812.00us, 1.20ms or 1.02s. */
    static double millis(String value) {
        if (value.endsWith("us")) {
            return Double.parseDouble(value.substring(0, value.length() - 2)) / 1000;
        }
        if (value.endsWith("ms")) {
            return Double.parseDouble(value.substring(0, value.length() - 2));
        }
        if (value.endsWith("m")) {
            return Double.parseDouble(value.substring(0, value.length() - 1)) * 60_000;
        }
        return Double.parseDouble(value.substring(0, value.length() - 1)) * 1000;
    }
}
