package dev.agentsandbox.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Stand-ins for az, kubectl, helm, kind, docker and mvnw on the PATH of a deploy script: each writes its argv to a log
 * and answers as a cluster that is either empty ("fresh") or already fully deployed ("existing") would.
 */
final class FakeCommands {

    /** What the fakes report: nothing exists yet, or everything the scripts create already does. */
    enum World {
        FRESH,
        EXISTING
    }

    /** A script run: its exit code, its combined output, and the commands the fakes saw, in order. */
    record Run(int exitCode, String output, List<String> calls, List<String> secretInputs) {}

    static final String ROUTER_IP = "20.30.40.50";

    private final Path dir;
    private final Path bin;
    private final Path log;
    private final Path stdinDir;

    FakeCommands(Path dir) throws IOException {
        this.dir = dir;
        this.bin = Files.createDirectories(dir.resolve("bin"));
        this.log = dir.resolve("calls.log");
        this.stdinDir = Files.createDirectories(dir.resolve("stdin"));
        for (String tool : List.of("az", "kubectl", "helm", "kind", "docker", "mvnw")) {
            Path script = bin.resolve(tool);
            Files.writeString(script, script(tool), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    Path mvnw() {
        return bin.resolve("mvnw");
    }

    /**
     * Runs a script of the repository with the fakes first on the PATH and only the given environment (the real
     * ./mvnw stays in place unless MVNW names {@link #mvnw()}).
     */
    Run run(Path repo, String script, World world, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Files.deleteIfExists(log);
        Files.createFile(log);
        List<String> command =
                new ArrayList<>(List.of("bash", repo.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> environment = pb.environment();
        environment.clear();
        environment.put("PATH", bin + ":/usr/bin:/bin");
        environment.put("HOME", dir.toString());
        environment.put("FAKE_LOG", log.toString());
        environment.put("FAKE_STDIN", stdinDir.toString());
        environment.put("FAKE_WORLD", world.name().toLowerCase());
        environment.putAll(env);
        Process process = pb.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(script + " did not finish within 60 s; output so far:\n" + output);
        }
        List<String> calls = Files.readAllLines(log).stream()
                .map(line -> normalise(line, repo))
                .toList();
        List<String> inputs = new ArrayList<>();
        try (var files = Files.list(stdinDir)) {
            for (Path file : files.sorted().toList()) {
                inputs.add(Files.readString(file));
                Files.delete(file);
            }
        }
        return new Run(process.exitValue(), normalise(output, repo), calls, inputs);
    }

    /** Paths that differ per machine, as $ROOT (the repository), $BIN (the fakes) and $TMP (the test's folder). */
    private String normalise(String text, Path repo) {
        return text.replace(repo.toString(), "$ROOT")
                .replace(bin.toString(), "$BIN")
                .replace(dir.toString(), "$TMP");
    }

    static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    private static String script(String tool) {
        String log =
                """
                #!/bin/bash
                # Fake %s for the deploy script tests: logs its argv, answers from $FAKE_WORLD.
                args=" $* "
                record() { { printf '%%s' "%s"; printf ' %%s' "$@"; printf '\\n'; } >>"$FAKE_LOG"; }
                # The reading end of "create secret ... | kubectl apply -f -" logs once its input is complete, so
                # the log keeps the pipeline's order.
                if [[ $args == *" apply -f - "* ]]; then cat >/dev/null; record "$@"; echo "secret configured"; exit 0; fi
                record "$@"
                exists() { [[ $FAKE_WORLD == existing ]]; }
                """
                        .formatted(tool, tool);
        String behaviour =
                switch (tool) {
                    case "az" -> """
                    case $args in
                      *" aks nodepool show "* | *" acr repository show "*) exists ;;
                      *) exit 0 ;;
                    esac
                    """;
                    case "kubectl" -> """
                    case $args in
                      *" get secret "* | *" get namespace "*) exists ;;
                      *" get runtimeclass gvisor "*) [[ ${FAKE_GVISOR:-} == true ]] ;;
                      *" get service sandbox-router-public "*) printf '%s' "%s" ;;
                      *" create secret "*)
                        cat >"$FAKE_STDIN/$(date +%%s%%N)"
                        printf 'apiVersion: v1\\nkind: Secret\\n' ;;
                      *" apply "*) if exists; then echo "unchanged"; else echo "created"; fi ;;
                      *) exit 0 ;;
                    esac
                    """
                            .formatted("%s", ROUTER_IP);
                    case "kind" -> """
                    case $args in
                      *" get clusters "*) if exists; then echo other; echo agent-sandbox; else echo other; fi ;;
                      *) exit 0 ;;
                    esac
                    """;
                    case "docker" -> """
                    case $args in
                      *" image inspect "*) exists ;;
                      *) exit 0 ;;
                    esac
                    """;
                    default -> "exit 0\n";
                };
        return log + behaviour;
    }
}
