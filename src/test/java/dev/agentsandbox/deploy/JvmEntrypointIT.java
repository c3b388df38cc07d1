package dev.agentsandbox.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.client.TestApiServer;
import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.DirectoryStream;
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
 * The JVM image's entrypoint ({@code src/main/docker/jvm-entrypoint.sh}) run the way the image runs it: the
 * packaged application laid out as in {@code /deployments}, with the router's and the controller's JVM flags files
 * next to it. Those two roles start with the flags they are benchmarked with; other roles do not get them. Needs the
 * packaged build, so it runs in {@code verify}.
 */
class JvmEntrypointIT {

    static final Path APP = Path.of("target", "quarkus-app").toAbsolutePath();
    static final Path DOCKER = Path.of("src", "main", "docker").toAbsolutePath();

    @TempDir
    Path deployments;

    TestApiServer api;

    @BeforeEach
    void layOutTheImage() throws IOException {
        // what Dockerfile.jvm copies into /deployments
        for (String entry : List.of("quarkus-run.jar", "lib", "app", "quarkus")) {
            Files.createSymbolicLink(deployments.resolve(entry), APP.resolve(entry));
        }
        try (DirectoryStream<Path> roleFlags = Files.newDirectoryStream(DOCKER, "*.jvm-options")) {
            for (Path f : roleFlags) {
                Files.copy(f, deployments.resolve(f.getFileName()));
            }
        }
        api = new TestApiServer();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theRouterRoleRunsWithItsJvmFlags() throws Exception {
        Run run = entrypoint(Map.of("SANDBOX_ROLE", "router"), "--exit-after-start");
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output)
                .contains("-XX:-TieredCompilation", "-XX:+UseSerialGC", "-XX:MaxHeapSize=67108864")
                .contains("role router started");
    }

    @Test
    void theRoleMayComeAsTheFirstArgument() throws Exception {
        Run run = entrypoint(Map.of(), "router", "--exit-after-start");
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("-XX:-TieredCompilation", "role router started");
    }

    @Test
    void theControllerRoleRunsWithItsJvmFlags() throws Exception {
        // the controller checks its permissions at start, which the embedded API server answers
        Run run;
        try (EmbeddedApiServer controlPlane = EmbeddedApiServer.start();
                KubernetesClient client = controlPlane.client("default")) {
            controlPlane.applyCrds(client, APP.resolveSibling("kubernetes"));
            run = entrypoint(
                    Map.of(
                            "SANDBOX_ROLE",
                            "controller",
                            "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL",
                            controlPlane.url(),
                            "QUARKUS_KUBERNETES_CLIENT_TOKEN",
                            controlPlane.token(),
                            "QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS",
                            "true"),
                    "--exit-after-start");
        }
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output)
                .contains("-XX:TieredStopAtLevel=1", "-XX:MaxNewSize=100663296")
                .doesNotContain("-XX:-TieredCompilation", "-XX:MaxHeapSize=67108864")
                .contains("role controller started");
    }

    @Test
    void otherRolesKeepTheJvmDefaults() throws Exception {
        Run run = entrypoint(Map.of("SANDBOX_ROLE", "client"), "--help");
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output)
                .contains("Usage:")
                .doesNotContain("TieredCompilation", "TieredStopAtLevel", "UseSerialGC");
    }

    record Run(int exit, String output) {}

    Run entrypoint(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("sh", DOCKER.resolve("jvm-entrypoint.sh").toString()));
        command.addAll(List.of(args));
        Path log = deployments.resolve("out.log");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("SANDBOX_ROLE");
        pb.environment().put("APP_DIR", deployments.toString());
        pb.environment().put("JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("SANDBOX_ROUTER_HOST", "127.0.0.1");
        pb.environment().put("SANDBOX_ROUTER_PORT", "0");
        pb.environment().put("ROUTER_AUTH_TOKEN", "entrypoint-test-token");
        pb.environment().put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", api.url());
        pb.environment().putAll(env);
        Process process = pb.start();
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS))
                    .as("the process ends")
                    .isTrue();
        } finally {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(log));
    }
}
