package dev.agentsandbox.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.local.LocalModeProcess;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The flows of the upstream SDKs against one local mode (started with {@link #SHARED_TOKEN} as the router's
 * {@code ROUTER_AUTH_TOKEN}, besides local mode's owner tokens): each SDK claims a sandbox from the kata-aks warm pool,
 * waits through its own watches until it is Ready, talks to the agent through the router in the SDK's direct mode,
 * checks whose agent answered and deletes the claim. Subclasses choose the API server; their own tests come after
 * these ({@link Order}).
 */
abstract class UpstreamSdkFlows {

    static final String SHARED_TOKEN = "compat-shared-router-token";
    static final String DEMO = "sandbox-agent-demo";
    private static final Pattern CLAIM = Pattern.compile("claim=(\\S+)");

    /** The local mode of the running test class (classes run one after the other). */
    static LocalModeProcess local;

    @RegisterExtension
    static final LocalModeProcess.LogOnFailure LOG_ON_FAILURE = new LocalModeProcess.LogOnFailure(() -> local);

    /** Starts {@code local --serve} with these options, unless no SDK can run here (then the class is skipped). */
    static LocalModeProcess serve(String name, Duration waitAtMost, List<String> options) throws Exception {
        assumeTrue(
                CompatToolchain.installed("go") || CompatToolchain.installed("python3"),
                "neither go nor python3 found on PATH: the upstream SDK tests are skipped");
        local = LocalModeProcess.start(
                Files.createTempDirectory(name),
                Duration.ofSeconds(120),
                waitAtMost,
                Map.of("ROUTER_AUTH_TOKEN", SHARED_TOKEN),
                options);
        return local;
    }

    @AfterAll
    static void stop() throws Exception {
        if (local != null) {
            local.close();
            local = null;
        }
    }

    LocalModeProcess local() {
        return local;
    }

    /**
     * The Go SDK cannot label a claim, so its sandbox has no owner: the shared token reaches it, and the agent is
     * told the owner the client names in {@code X-Owner} (docs/router.md).
     */
    @Test
    @Order(1)
    void theGoSdkClaimsWaitsChatsThroughTheRouterAndDeletes() throws Exception {
        CompatToolchain.Run go = UpstreamSdks.runGo(Map.of(
                "KUBECONFIG",
                local().kubeconfig().toString(),
                "ROUTER_URL",
                local().lines.get("ROUTER_URL"),
                "ROUTER_TOKEN",
                SHARED_TOKEN,
                "OWNER",
                "gopher"));
        assertThat(go.exit()).as(go.toString()).isZero();
        assertThat(go.out()).as(go.toString()).contains("sdk-go: OK", "owner=gopher", "reply=\"I am gopher's agent.");
        assertClaimGone(go);
    }

    /**
     * The Python SDK labels its claim with the owner: alice's owner token reaches the sandbox and the agent answers
     * as alice's although the request names no owner; bob's token is refused.
     */
    @Test
    @Order(2)
    void thePythonSdkClaimsForAnOwnerChatsWithTheOwnersTokenAndDeletes() throws Exception {
        CompatToolchain.Run python = UpstreamSdks.runPython(Map.of(
                "KUBECONFIG", local().kubeconfig().toString(),
                "ROUTER_URL", local().lines.get("ROUTER_URL"),
                "OWNER", "alice",
                "OWNER_TOKEN", local().lines.get("ROUTER_TOKEN_ALICE"),
                "OTHER_OWNER_TOKEN", local().lines.get("ROUTER_TOKEN_BOB")));
        assertThat(python.exit()).as(python.toString()).isZero();
        assertThat(python.out())
                .as(python.toString())
                .contains("sdk-python: OK", "owner=alice", "reply='I am alice\\'s agent.");
        assertClaimGone(python);
    }

    private void assertClaimGone(CompatToolchain.Run outcome) throws Exception {
        Matcher claim = CLAIM.matcher(outcome.out());
        assertThat(claim.find()).as(outcome.toString()).isTrue();
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(local().kubeconfig())))
                .build()) {
            SandboxClaim left = client.resources(SandboxClaim.class)
                    .inNamespace(DEMO)
                    .withName(claim.group(1))
                    .get();
            assertThat(left == null || left.getMetadata().getDeletionTimestamp() != null)
                    .as("claim %s deleted by the SDK", claim.group(1))
                    .isTrue();
        }
    }
}
