package dev.agentsandbox.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentsandbox.local.controlplane.ControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch order as clients nobody here wrote see it (tests/compat/watch/): the official Python {@code kubernetes}
 * client and a client-go shared informer list and watch SandboxClaims with a label selector, create one claim inside
 * and one outside it, patch and delete both, and must see ADDED, MODIFIED and DELETED of the first, in that order,
 * and nothing of the second. Each subclass runs them against one Kubernetes API.
 */
abstract class WatchOrderCompat {

    static final Path WATCH = Path.of("tests", "compat", "watch");
    static final String NAMESPACE = "compat-watch";
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    /** The API the clients run against, started, with the generated CRDs and {@link #NAMESPACE}. */
    abstract ControlPlane plane();

    @Test
    void theOfficialPythonClientSeesAddedModifiedDeletedInOrder() throws Exception {
        assumeTrue(
                CompatToolchain.installed("python3"),
                "python3 is not installed: the Python client's watch compatibility test is skipped");
        Path venv = CompatToolchain.pythonVenv(WATCH.resolve("python/requirements.txt"));
        CompatToolchain.Run run = CompatToolchain.run(
                RUN_TIMEOUT,
                Map.of(),
                venv.resolve("bin/python").toString(),
                WATCH.resolve("python/watch_order.py").toString(),
                "--kubeconfig",
                kubeconfig().toString(),
                "--namespace",
                NAMESPACE);
        assertThat(run.ok()).as("%s", run).isTrue();
        assertThat(run.output())
                .containsPattern("event: ADDED watched-py-\\w+\\nevent: MODIFIED watched-py-\\w+\\n"
                        + "event: DELETED watched-py-\\w+\\nOK");
    }

    /** client-go's default since 1.35: the informer streams the initial state ({@code sendInitialEvents}). */
    @Test
    void aClientGoInformerStreamingItsInitialStateSeesAddedModifiedDeletedInOrder() throws Exception {
        CompatToolchain.Run run = informer("true");
        assertThat(run.output())
                .as("the initial state came by a watch, not by a list")
                .containsPattern("request: GET \\S*sendInitialEvents=true\\S* -> 200")
                .doesNotContainPattern("request: GET (?!\\S*watch=true)\\S* -> ");
    }

    /** With WatchListClient off the informer lists, then watches from the list's resourceVersion. */
    @Test
    void aClientGoInformerThatListsThenWatchesSeesAddedModifiedDeletedInOrder() throws Exception {
        CompatToolchain.Run run = informer("false");
        assertThat(run.output())
                .containsPattern("request: GET (?!\\S*watch=true)\\S*labelSelector=compat-run\\S* -> 200")
                .containsPattern("request: GET \\S*resourceVersion=\\d+\\S*watch=true\\S* -> 200")
                .doesNotContain("sendInitialEvents");
    }

    private CompatToolchain.Run informer(String watchListClient) throws Exception {
        assumeTrue(
                CompatToolchain.installed("go"),
                "go is not installed: the client-go informer's watch compatibility tests are skipped");
        Path informer = CompatToolchain.goProgram(WATCH.resolve("go"), "watch-informer");
        CompatToolchain.Run run = CompatToolchain.run(
                RUN_TIMEOUT,
                Map.of("KUBE_FEATURE_WatchListClient", watchListClient),
                informer.toString(),
                "-kubeconfig",
                kubeconfig().toString(),
                "-namespace",
                NAMESPACE);
        assertThat(run.ok()).as("%s", run).isTrue();
        assertThat(run.output())
                .containsPattern("event: ADDED informed-go-\\d+\\nevent: MODIFIED informed-go-\\d+\\n"
                        + "event: DELETED informed-go-\\d+\\n");
        return run;
    }

    private Path kubeconfig() throws Exception {
        return plane().writeKubeconfig(dir.resolve("kubeconfig"), NAMESPACE);
    }
}
