package dev.agentsandbox.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/quarkus-app/quarkus-run.jar local --serve} as a child process of a test, with its own data
 * directory; collects the lines it prints on standard output.
 */
public final class LocalModeProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    public final Process process;
    public final Path dataDir;
    /** The KEY=value lines printed so far (kept up to date while the process runs). */
    public final Map<String, String> lines;
    /** Every line printed on standard output so far, in order (scripts read it: it must hold only the lines). */
    public final List<String> stdout;

    public final Duration timeToLines;

    private LocalModeProcess(
            Process process, Path dataDir, Duration timeToLines, Map<String, String> lines, List<String> stdout) {
        this.stdout = stdout;
        this.process = process;
        this.lines = lines;
        this.dataDir = dataDir;
        this.timeToLines = timeToLines;
    }

    public static LocalModeProcess start(Path dataDir, Duration readyTimeout, Duration waitAtMost) throws IOException {
        return start(dataDir, readyTimeout, waitAtMost, Map.of());
    }

    /** As {@link #start(Path, Duration, Duration)}, with these variables added to the process environment. */
    public static LocalModeProcess start(
            Path dataDir, Duration readyTimeout, Duration waitAtMost, Map<String, String> environment)
            throws IOException {
        return start(dataDir, readyTimeout, waitAtMost, environment, List.of());
    }

    /** As {@link #start(Path, Duration, Duration, Map)}, with more options of {@code local} after {@code --serve}. */
    public static LocalModeProcess start(
            Path dataDir,
            Duration readyTimeout,
            Duration waitAtMost,
            Map<String, String> environment,
            List<String> options)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // free ports for the router (18080 by default) and the management listener (18081), so parallel runs do
        // not collide
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Dsandbox.local.data-dir=" + dataDir,
                "-Dquarkus.http.port=0",
                "-Dsandbox.router.port=0",
                "-Dsandbox.local.ready-timeout=" + readyTimeout.toSeconds() + "s",
                "-jar",
                JAR.toString(),
                "local",
                "--serve"));
        cmd.addAll(options);
        long t0 = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectError(dataDir.resolve("local.log").toFile());
        builder.environment().putAll(environment);
        Process p = builder.start();
        Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch lastLinePrinted = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader out =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = out.readLine()) != null) {
                            all.add(line);
                            int eq = line.indexOf('=');
                            if (eq > 0) {
                                seen.put(line.substring(0, eq), line.substring(eq + 1));
                            }
                            // ROUTER_URL comes last when a router exists; KUBECONFIG last otherwise.
                            if (line.startsWith("ROUTER_URL=")) {
                                lastLinePrinted.countDown();
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                    lastLinePrinted.countDown(); // ended without the line: fail at once instead of waiting
                },
                "local-mode-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!lastLinePrinted.await(waitAtMost.toMillis(), TimeUnit.MILLISECONDS)
                    || !seen.containsKey("ROUTER_URL")) {
                throw new IllegalStateException("no ROUTER_URL line");
            }
            if (!seen.containsKey("KUBECONFIG")) {
                throw new IllegalStateException("the process ended without a KUBECONFIG line");
            }
        } catch (Exception e) {
            p.destroy();
            throw new IllegalStateException(
                    "local mode did not print its lines in " + waitAtMost + ": " + e.getMessage() + "\n"
                            + tail(dataDir.resolve("local.log")),
                    e);
        }
        return new LocalModeProcess(p, dataDir, Duration.ofNanos(System.nanoTime() - t0), seen, all);
    }

    public Path kubeconfig() {
        return Path.of(lines.get("KUBECONFIG"));
    }

    public static String tail(Path log) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /**
     * The failure with local mode's warnings and errors appended to its message on one line: a CI summary shows only
     * a failed test's message, and the log lives in a temporary directory that is gone by then.
     */
    public AssertionError withLogWarnings(Throwable failure) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve("local.log")).stream()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .toList();
        } catch (IOException e) {
            lines = List.of("(no log: " + e.getMessage() + ")");
        }
        String joined = String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        return new AssertionError(failure.getMessage() + " || local mode log, last warnings: " + joined, failure);
    }

    /**
     * Register in a test class that keeps its local mode in a static field: a failing test's message then carries
     * local mode's last warnings ({@link #withLogWarnings}).
     */
    public static final class LogOnFailure implements org.junit.jupiter.api.extension.TestExecutionExceptionHandler {
        private final java.util.function.Supplier<LocalModeProcess> process;

        public LogOnFailure(java.util.function.Supplier<LocalModeProcess> process) {
            this.process = process;
        }

        @Override
        public void handleTestExecutionException(
                org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure) throws Throwable {
            LocalModeProcess current = process.get();
            if (current == null || failure instanceof org.opentest4j.TestAbortedException) {
                throw failure;
            }
            throw current.withLogWarnings(failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM, as Ctrl-C or a service manager would
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
