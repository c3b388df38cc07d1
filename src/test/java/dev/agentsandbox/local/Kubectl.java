package dev.agentsandbox.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the installed kubectl against local mode, always with its kubeconfig and a private discovery cache. */
public final class Kubectl {

    /** The outcome of one kubectl command. */
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private final String binary;
    private final Path kubeconfig;
    private final Path cacheDir;

    public Kubectl(Path kubeconfig, Path cacheDir) {
        this("kubectl", kubeconfig, cacheDir);
    }

    /** A kubectl other than the installed one (the one tools/kube/build.sh builds with the control plane). */
    public Kubectl(String binary, Path kubeconfig, Path cacheDir) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    public static boolean installed() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public Result run(String... args) throws IOException, InterruptedException {
        return runWithInput(null, args);
    }

    public Result apply(String yaml) throws IOException, InterruptedException {
        return runWithInput(yaml, "apply", "-f", "-");
    }

    /**
     * Starts a kubectl that runs until it ends by itself or is stopped ({@code get -w}, {@code wait}), with its
     * standard output and error going to {@code output}; no {@code --request-timeout}, which would cut its watch.
     */
    public Process background(Path output, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of(binary, "--kubeconfig", kubeconfig.toString(), "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        p.getOutputStream().close();
        return p;
    }

    public Result runWithInput(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                binary,
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                cacheDir.toString(),
                "--request-timeout",
                "30s"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(cacheDir.getParent(), "kubectl", ".out");
        Path err = Files.createTempFile(cacheDir.getParent(), "kubectl", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish in 90 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }
}
