package dev.agentsandbox.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.UpdateStrategyType;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The user-facing manifests in deploy/: each fits the Kubernetes model and our CRD model with no unknown field,
 * survives a round trip unchanged, says what docs/api.md section 12 (the kata-aks example) says, and is consistent with the others and with the
 * router's Deployment.
 */
class DeployManifestsTest {

    static final Path REPO = Path.of("").toAbsolutePath();
    static final Path KATA = REPO.resolve("deploy/kata-aks");
    static final String AGENT_IMAGE = "ghcr.io/agent-sandbox/agent-sandbox-agent:0.1.0";

    static List<Path> deployYamls() throws IOException {
        try (Stream<Path> files = Files.walk(REPO.resolve("deploy"))) {
            return files.filter(
                            f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.getFileName().toString().equals("kind-config.yaml"))
                    .sorted()
                    .toList();
        }
    }

    static <T> T only(Path file, Class<T> type) {
        List<JsonNode> docs = StrictModel.documents(file);
        assertThat(docs).as(file.toString()).hasSize(1);
        return StrictModel.read(docs.get(0), type);
    }

    @Test
    void everyDeployYamlFitsTheModelAndRoundTripsUnchanged() throws IOException {
        List<Path> files = deployYamls();
        assertThat(files)
                .extracting(f -> REPO.relativize(f).toString())
                .contains(
                        "deploy/kata-aks/namespace.yaml",
                        "deploy/kata-aks/sandbox-template.yaml",
                        "deploy/kata-aks/warm-pool.yaml",
                        "deploy/kata-aks/claim.yaml",
                        "deploy/kata-aks/secret.example.yaml",
                        "deploy/kind/sandbox-template.yaml");
        for (Path file : files) {
            List<JsonNode> docs = StrictModel.documents(file);
            assertThat(docs).as(file.toString()).isNotEmpty();
            docs.forEach(StrictModel::assertRoundTrip);
        }
    }

    @Test
    void theStrictReadRefusesUnknownAndMisspelledFields() {
        JsonNode template = StrictModel.documents(KATA.resolve("sandbox-template.yaml"))
                .get(0)
                .deepCopy();
        ((ObjectNode) template.at("/spec/podTemplate/spec")).put("runtimeClass", "kata-vm-isolation");
        assertThatThrownBy(() -> StrictModel.read(template)).hasMessageContaining("runtimeClass");

        JsonNode pool =
                StrictModel.documents(KATA.resolve("warm-pool.yaml")).get(0).deepCopy();
        ((ObjectNode) pool.at("/spec")).put("replica", 3);
        assertThatThrownBy(() -> StrictModel.read(pool)).hasMessageContaining("replica");
    }

    @Test
    void kataTemplateIsTheDocumentedOne() {
        SandboxTemplate template = only(KATA.resolve("sandbox-template.yaml"), SandboxTemplate.class);
        assertThat(template.getMetadata().getName()).isEqualTo("kata-aks-template");
        assertThat(template.getMetadata().getNamespace()).isEqualTo("sandbox-agent-demo");
        PodSpec pod = template.getSpec().getPodTemplate().getSpec();
        assertThat(pod.getRuntimeClassName()).isEqualTo("kata-vm-isolation");
        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("kubernetes.azure.com/kata-vm-isolation", "true"));
        assertThat(pod.getTolerations())
                .containsExactly(new Toleration("NoSchedule", "kata", "Equal", null, "enabled"));
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(1000L);
        ContainerSecurity.assertHardened("kata-aks-template", pod);

        assertThat(pod.getContainers()).hasSize(1);
        Container agent = pod.getContainers().get(0);
        assertThat(agent.getImage()).isEqualTo(AGENT_IMAGE);
        assertThat(agent.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(agent.getResources().getRequests())
                .containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("512Mi"));
        assertThat(agent.getResources().getLimits())
                .containsEntry("cpu", new Quantity("1"))
                .containsEntry("memory", new Quantity("1Gi"));
        assertThat(agent.getEnv())
                .extracting(EnvVar::getName)
                .containsExactly("OPENAI_BASE_URL", "OPENAI_API_KEY", "LLM_MODEL");
        assertThat(agent.getEnv()).allSatisfy(env -> {
            assertThat(env.getValue())
                    .as("%s must come from the Secret, not a literal", env.getName())
                    .isNull();
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("azure-foundry");
            assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(env.getName());
        });

        List<NetworkPolicyEgressRule> egress =
                template.getSpec().getNetworkPolicy().getEgress();
        List<String> egressPorts = new ArrayList<>();
        for (NetworkPolicyEgressRule rule : egress) {
            assertThat(rule.getTo()).as("egress rules are by port only").isNullOrEmpty();
            for (NetworkPolicyPort port : rule.getPorts()) {
                egressPorts.add(port.getProtocol() + "/" + port.getPort().getIntVal());
            }
        }
        assertThat(egressPorts).containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/443");
        assertThat(template.getSpec().getNetworkPolicy().getIngress())
                .singleElement()
                .satisfies(rule -> {
                    assertThat(rule.getPorts()).singleElement().satisfies(p -> {
                        assertThat(p.getProtocol()).isEqualTo("TCP");
                        assertThat(p.getPort()).isEqualTo(new IntOrString(8080));
                    });
                    assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                        assertThat(peer.getNamespaceSelector().getMatchLabels())
                                .containsExactly(Map.entry("kubernetes.io/metadata.name", "agent-sandbox-system"));
                        assertThat(peer.getPodSelector().getMatchLabels())
                                .containsExactly(Map.entry("app", "sandbox-router"));
                    });
                });
    }

    /** The router Deployment as written in the build's fragment (the generated one is checked after package). */
    @Test
    void theTemplateAdmitsTheRouterPodsAndNothingElse() {
        SandboxTemplate template = only(KATA.resolve("sandbox-template.yaml"), SandboxTemplate.class);
        List<HasMetadata> fragment = StrictModel.documents(REPO.resolve("src/main/kubernetes/kubernetes.yml")).stream()
                .map(StrictModel::read)
                .toList();
        Deployment router = fragment.stream()
                .filter(o -> o instanceof Deployment
                        && "sandbox-router-deployment".equals(o.getMetadata().getName()))
                .map(Deployment.class::cast)
                .findFirst()
                .orElseThrow();
        Namespace system = fragment.stream()
                .filter(Namespace.class::isInstance)
                .map(Namespace.class::cast)
                .filter(n ->
                        n.getMetadata().getName().equals(router.getMetadata().getNamespace()))
                .findFirst()
                .orElseThrow();
        Map<String, String> routerPod =
                router.getSpec().getTemplate().getMetadata().getLabels();
        var ingress = template.getSpec().getNetworkPolicy().getIngress();

        assertThat(RouterAdmission.admits(ingress, system, routerPod, 8080))
                .as("router pods reach the agent on 8080")
                .isTrue();
        assertThat(RouterAdmission.admits(ingress, system, routerPod, 9090))
                .as("router pods on another port")
                .isFalse();
        assertThat(RouterAdmission.admits(ingress, system, Map.of("app", "other"), 8080))
                .as("other pods")
                .isFalse();
        Namespace demo = only(KATA.resolve("namespace.yaml"), Namespace.class);
        assertThat(RouterAdmission.admits(ingress, demo, routerPod, 8080))
                .as("a pod labelled app=sandbox-router in the demo namespace")
                .isFalse();
    }

    @Test
    void poolClaimSecretAndNamespaceFitTogether() {
        Namespace namespace = only(KATA.resolve("namespace.yaml"), Namespace.class);
        SandboxTemplate template = only(KATA.resolve("sandbox-template.yaml"), SandboxTemplate.class);
        SandboxWarmPool pool = only(KATA.resolve("warm-pool.yaml"), SandboxWarmPool.class);
        SandboxClaim claim = only(KATA.resolve("claim.yaml"), SandboxClaim.class);
        Secret secret = only(KATA.resolve("secret.example.yaml"), Secret.class);

        assertThat(namespace.getMetadata().getName()).isEqualTo("sandbox-agent-demo");
        for (HasMetadata o : List.of(template, pool, claim, secret)) {
            assertThat(o.getMetadata().getNamespace())
                    .as("%s %s", o.getKind(), o.getMetadata().getName())
                    .isEqualTo(namespace.getMetadata().getName());
        }
        assertThat(pool.getMetadata().getName()).isEqualTo("kata-aks-warmpool");
        assertThat(pool.getSpec().getReplicas()).isEqualTo(3);
        assertThat(pool.getSpec().getUpdateStrategy().getType()).isEqualTo(UpdateStrategyType.ON_REPLENISH);
        assertThat(pool.getSpec().getSandboxTemplateRef().getName())
                .isEqualTo(template.getMetadata().getName());
        assertThat(claim.getMetadata().getName()).isEqualTo("my-aks-agent");
        assertThat(claim.getSpec().getWarmPoolRef().getName())
                .isEqualTo(pool.getMetadata().getName());
        assertThat(claim.getMetadata().getLabels()).containsKey(Labels.OWNER);
        assertThat(claim.getMetadata().getLabels().get(Labels.OWNER)).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

        assertThat(secret.getMetadata().getName()).isEqualTo("azure-foundry");
        assertThat(secret.getStringData()).containsOnlyKeys("OPENAI_BASE_URL", "OPENAI_API_KEY", "LLM_MODEL");
        assertThat(secret.getData()).as("no base64 data: placeholders only").isNullOrEmpty();
        assertThat(secret.getStringData().get("OPENAI_API_KEY"))
                .as("a placeholder, never a real key")
                .isEqualTo("replace-with-your-key");
        assertThat(secret.getStringData().get("OPENAI_BASE_URL")).contains("YOUR-RESOURCE");
    }

    @Test
    void kindTemplateIsTheKataTemplateWithoutKata() {
        JsonNode kata = StrictModel.documents(KATA.resolve("sandbox-template.yaml"))
                .get(0)
                .deepCopy();
        JsonNode kind = StrictModel.documents(REPO.resolve("deploy/kind/sandbox-template.yaml"))
                .get(0);
        ObjectNode kataPod = (ObjectNode) kata.at("/spec/podTemplate/spec");
        kataPod.remove(List.of("runtimeClassName", "nodeSelector", "tolerations"));
        assertThat(kind).isEqualTo(kata);
        ContainerSecurity.assertHardened(
                "kind template",
                only(REPO.resolve("deploy/kind/sandbox-template.yaml"), SandboxTemplate.class)
                        .getSpec()
                        .getPodTemplate()
                        .getSpec());
    }

    /**
     * The idle-sleep variant (docs/idle.md) is the example's template plus exactly: the idle annotations, fsGroup, the
     * history directory variable, its volume mount and the volume claim template behind it.
     */
    @Test
    void idleSleepTemplateIsTheKataTemplateWithAnIdlePolicyAndAHistoryVolume() {
        Path file = KATA.resolve("idle-sleep/sandbox-template.yaml");
        SandboxTemplate idle = only(file, SandboxTemplate.class);
        assertThat(idle.getMetadata().getAnnotations())
                .containsExactly(
                        Map.entry(IdleAnnotations.IDLE_TIMEOUT, "15m"),
                        Map.entry(IdleAnnotations.IDLE_ACTION, "Suspend"));
        assertThat(IdleAnnotations.timeout("15m").valid()).isTrue();
        PodSpec pod = idle.getSpec().getPodTemplate().getSpec();
        ContainerSecurity.assertHardened("idle-sleep template", pod);
        Container agent = pod.getContainers().get(0);
        String historyDir = agent.getEnv().stream()
                .filter(e -> e.getName().equals("AGENT_HISTORY_DIR"))
                .map(EnvVar::getValue)
                .findFirst()
                .orElseThrow();
        assertThat(agent.getVolumeMounts()).anySatisfy(m -> assertThat(m.getName() + " " + m.getMountPath())
                .isEqualTo("history " + historyDir));
        assertThat(idle.getSpec().getVolumeClaimTemplates())
                .singleElement()
                .satisfies(v -> assertThat(v.getMetadata().getName()).isEqualTo("history"));

        JsonNode kata =
                StrictModel.documents(KATA.resolve("sandbox-template.yaml")).get(0);
        ObjectNode withoutIdle = (ObjectNode) StrictModel.documents(file).get(0).deepCopy();
        ((ObjectNode) withoutIdle.at("/metadata")).remove("annotations");
        ((ObjectNode) withoutIdle.at("/spec")).remove("volumeClaimTemplates");
        ((ObjectNode) withoutIdle.at("/spec/podTemplate/spec/securityContext")).remove("fsGroup");
        ObjectNode container = (ObjectNode) withoutIdle.at("/spec/podTemplate/spec/containers/0");
        removeNamed(container.withArray("env"), "AGENT_HISTORY_DIR");
        removeNamed(container.withArray("volumeMounts"), "history");
        assertThat(withoutIdle).isEqualTo(kata);
    }

    private static void removeNamed(com.fasterxml.jackson.databind.node.ArrayNode items, String name) {
        for (int i = items.size() - 1; i >= 0; i--) {
            if (name.equals(items.get(i).path("name").asText())) {
                items.remove(i);
            }
        }
    }

    @Test
    void kindClusterConfigNamesTheCluster() {
        JsonNode config = StrictModel.documents(REPO.resolve("deploy/kind/kind-config.yaml"))
                .get(0);
        assertThat(config.path("kind").asText()).isEqualTo("Cluster");
        assertThat(config.path("apiVersion").asText()).isEqualTo("kind.x-k8s.io/v1alpha4");
        assertThat(config.path("name").asText()).isEqualTo("agent-sandbox");
        assertThat(config.path("nodes")).isNotEmpty();
    }
}
