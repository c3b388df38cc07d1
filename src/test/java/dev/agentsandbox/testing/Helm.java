package dev.agentsandbox.testing;

import dev.agentsandbox.local.Kubectl;
import dev.agentsandbox.local.controlplane.KubeBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Helm v4 that {@code tools/kube/build.sh} builds beside the control plane, run on the chart that
 * {@code ./mvnw package} generates ({@code target/helm/kubernetes/agent-sandbox}). Its cache, configuration and data
 * live in the test's own directory, so nothing of a user's Helm set-up is read or written; results are kubectl's
 * ({@link Kubectl.Result}). As an extension, it skips
 * a test class where the binary is absent, with one message that names the build script.
 */
public final class Helm implements ExecutionCondition {

    /** The generated chart. */
    public static final Path CHART =
            Path.of("target", "helm", "kubernetes", "agent-sandbox").toAbsolutePath();

    private final Path home;
    private final Path kubeconfig;

    /** Used by JUnit as an {@link ExecutionCondition} only. */
    public Helm() {
        this(null, null);
    }

    /**
     * @param home where Helm keeps its cache, configuration and data
     * @param kubeconfig the cluster of install, upgrade and uninstall; null for commands that need none
     */
    public Helm(Path home, Path kubeconfig) {
        this.home = home;
        this.kubeconfig = kubeconfig;
    }

    public static Path binary() {
        return KubeBinaries.configured().path("helm");
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return Files.isExecutable(binary())
                ? ConditionEvaluationResult.enabled("helm is built")
                : ConditionEvaluationResult.disabled("helm is not built: " + binary() + " is missing; "
                        + "build it with tools/kube/build.sh (needs Go), which builds it with the control plane");
    }

    public Kubectl.Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary().toString()));
        if (kubeconfig != null) {
            cmd.addAll(List.of("--kubeconfig", kubeconfig.toString()));
        }
        cmd.addAll(List.of(args));
        Files.createDirectories(home);
        Path out = Files.createTempFile(home, "helm", ".out");
        Path err = Files.createTempFile(home, "helm", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.put("HELM_CACHE_HOME", home.resolve("cache").toString());
        env.put("HELM_CONFIG_HOME", home.resolve("config").toString());
        env.put("HELM_DATA_HOME", home.resolve("data").toString());
        env.remove("KUBECONFIG");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("helm " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        Kubectl.Result result = new Kubectl.Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }
}
