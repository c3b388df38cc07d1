package dev.agentsandbox.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs commands (docker, the image scripts) for the image tests, with a time limit and their output kept. */
final class Docker {

    record Result(int exit, String out) {
        boolean ok() {
            return exit == 0;
        }
    }

    private Docker() {}

    /** Whether a Docker engine answers, or one can be started (Debian's docker.io installed). */
    static boolean available() {
        return run(Map.of(), 30, "docker", "info").ok()
                || run(Map.of(), 10, "sh", "-c", "command -v dockerd").ok();
    }

    static Result docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return run(Map.of(), 120, cmd.toArray(String[]::new));
    }

    static Result run(Map<String, String> env, int timeoutSeconds, String... command) {
        try {
            Path out = Files.createTempFile("docker", ".out");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            return new Result(p.exitValue(), text.strip());
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
