package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application in the {@code client} role, as a user runs it: a kubeconfig, the environment, a real
 * JVM and a real SIGINT. Needs the packaged application, so it runs in {@code ./mvnw verify} (failsafe, after
 * {@code package}).
 */
class ClientJarIT {

    static final String JAR = System.getProperty("client.jar", "target/quarkus-app/quarkus-run.jar");

    static final String NS = SandboxClient.DEFAULT_NAMESPACE;

    @TempDir
    Path dir;

    TestApiServer api;
    KubernetesClient kube;
    FakeClaimController controller;
    FakeRouter router;
    Path kubeconfig;

    @BeforeEach
    void start() throws IOException {
        api = new TestApiServer();
        kube = api.client();
        FakeClaimController.createWarmPool(kube, NS, SandboxClient.DEFAULT_WARM_POOL);
        controller = new FakeClaimController(kube);
        router = new FakeRouter(kube, Map.of("alice-token", "alice"));
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(
                kubeconfig,
                """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                contexts:
                - name: test
                  context: {cluster: test, user: test}
                current-context: test
                users:
                - name: test
                  user: {token: test}
                """
                        .formatted(api.url()));
    }

    @AfterEach
    void stop() {
        router.close();
        controller.close();
        kube.close();
        api.close();
    }

    Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR, "client"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        builder.environment().put("ROUTER_BASE_URL", router.url().toString());
        builder.environment().put("ROUTER_TOKEN_ALICE", "alice-token");
        return builder.start();
    }

    String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    @Test
    void oneShotRunThroughThePackagedApplication() throws Exception {
        Process process = start("--name", "alice", "--msg", "hi", "--output", "json");

        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(read("err")).isZero();
        assertThat(read("out")).contains("\"owner\":\"alice\"").contains("\"check\":\"OK\"");
        assertThat(kube.resources(SandboxClaim.class).inNamespace(NS).list().getItems())
                .isEmpty();
    }

    @Test
    void sigintDeletesTheOneShotClaim() throws Exception {
        var chatArrived = router.stallChats();
        Process process = start("--name", "alice");
        assertThat(chatArrived.await(90, TimeUnit.SECONDS))
                .as("the client reached the agent")
                .isTrue();
        assertThat(kube.resources(SandboxClaim.class)
                        .inNamespace(NS)
                        .withLabel(Labels.OWNER, "alice")
                        .list()
                        .getItems())
                .hasSize(1);

        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits on Ctrl-C").isTrue();
        router.release();
        assertThat(kube.resources(SandboxClaim.class)
                        .inNamespace(NS)
                        .withLabel(Labels.OWNER, "alice")
                        .list()
                        .getItems())
                .as(read("err"))
                .isEmpty();
    }
}
