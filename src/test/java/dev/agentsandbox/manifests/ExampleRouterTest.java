package dev.agentsandbox.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kata-aks example's own router (deploy/kata-aks/router.yaml), laid out as upstream's examples/kata-aks/router.yaml:
 * in the sandboxes' namespace, labelled {@code app: sandbox-router}, reached by the template's NetworkPolicy (upstream's
 * rule unchanged), watching that namespace only with a namespaced Role.
 */
class ExampleRouterTest {

    static final Path KATA = DeployManifestsTest.KATA;
    static final String PLATFORM_IMAGE = "ghcr.io/agent-sandbox/agent-sandbox:0.1.0";
    static List<HasMetadata> objects;
    static Namespace demo;
    static Deployment router;
    static SandboxTemplate template;

    @BeforeAll
    static void read() {
        objects = StrictModel.documents(KATA.resolve("router.yaml")).stream()
                .map(StrictModel::read)
                .toList();
        demo = DeployManifestsTest.only(KATA.resolve("namespace.yaml"), Namespace.class);
        router = named(Deployment.class, "sandbox-router-deployment");
        template = DeployManifestsTest.only(KATA.resolve("sandbox-template.yaml"), SandboxTemplate.class);
    }

    static <T extends HasMetadata> T named(Class<T> type, String name) {
        return StrictModel.named(objects, type, name, "router.yaml");
    }

    @Test
    void everyObjectLivesInTheSandboxesNamespaceWithNoClusterWideRights() {
        assertThat(objects)
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        "ServiceAccount/sandbox-router",
                        "Role/sandbox-router",
                        "RoleBinding/sandbox-router",
                        "Deployment/sandbox-router-deployment",
                        "PodDisruptionBudget/sandbox-router",
                        "Service/sandbox-router-svc",
                        "Service/sandbox-router-public");
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getNamespace())
                .as("%s %s", o.getKind(), o.getMetadata().getName())
                .isEqualTo(demo.getMetadata().getName()));
    }

    @Test
    void theRouterIsThePlatformImageInRouterRoleWatchingOnlyItsNamespace() {
        var pod = router.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(PLATFORM_IMAGE);
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("SANDBOX_ROLE").getValue()).isEqualTo("router");
        assertThat(env.get("SANDBOX_ROUTER_NAMESPACES").getValue())
                .isEqualTo(demo.getMetadata().getName());
        assertThat(env.get("SANDBOX_ROUTER_OWNER_TOKENS_SECRET_NAMESPACE").getValue())
                .isEqualTo(demo.getMetadata().getName());
        assertThat(env.get("ROUTER_AUTH_TOKEN").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("sandbox-router-auth");
        assertThat(env)
                .as("authenticated, unlike upstream's demo router")
                .doesNotContainKey("ALLOW_UNAUTHENTICATED_ROUTER");
        assertThat(router.getSpec().getReplicas()).isEqualTo(2);
        // the namespace enforces Pod Security "restricted"
        ContainerSecurity.assertHardened("example router", pod);
        assertThat(pod.getServiceAccountName())
                .isEqualTo(named(ServiceAccount.class, "sandbox-router")
                        .getMetadata()
                        .getName());
    }

    @Test
    void aNamespacedRoleGrantsReadingSandboxesAndTheOwnerTokenSecretOnly() {
        Role role = named(Role.class, "sandbox-router");
        assertThat(role.getRules())
                .extracting(ExampleRouterTest::describe)
                .containsExactlyInAnyOrder(
                        "agents.x-k8s.io/sandboxes [] [get, list, watch]",
                        "/secrets [" + OwnerTokens.DEFAULT_SECRET_NAME + "] [get, list, watch]");
        RoleBinding binding = named(RoleBinding.class, "sandbox-router");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName())
                    .isEqualTo(router.getSpec().getTemplate().getSpec().getServiceAccountName());
            assertThat(s.getNamespace()).isEqualTo(demo.getMetadata().getName());
        });
    }

    /**
     * The idle-sleep overlay gives the example's router patch on its namespace's Sandboxes and nothing else; the
     * platform's admission policy narrows it because the router's ServiceAccount is named {@code sandbox-router}.
     */
    @Test
    void theIdleSleepOverlayGrantsTheExampleRouterPatchOnSandboxesOnly() {
        List<HasMetadata> wake = StrictModel.documents(KATA.resolve("idle-sleep/router-wake.yaml")).stream()
                .map(StrictModel::read)
                .toList();
        Role role = StrictModel.named(wake, Role.class, "sandbox-router-idle-sleep", "router-wake.yaml");
        assertThat(role.getMetadata().getNamespace())
                .isEqualTo(demo.getMetadata().getName());
        assertThat(role.getRules())
                .extracting(ExampleRouterTest::describe)
                .containsExactly("agents.x-k8s.io/sandboxes [] [patch]");
        RoleBinding binding =
                StrictModel.named(wake, RoleBinding.class, "sandbox-router-idle-sleep", "router-wake.yaml");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        String serviceAccount = router.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(serviceAccount);
            assertThat(s.getNamespace()).isEqualTo(demo.getMetadata().getName());
        });
        assertThat(serviceAccount).isEqualTo("sandbox-router");
    }

    @Test
    void theServicesAreUpstreamsAndSelectTheRouterPods() {
        Map<String, String> podLabels =
                router.getSpec().getTemplate().getMetadata().getLabels();
        ContainerPort http = router.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .filter(p -> "http".equals(p.getName()))
                .findFirst()
                .orElseThrow();
        Service internal = named(Service.class, "sandbox-router-svc");
        Service public_ = named(Service.class, "sandbox-router-public");
        assertThat(internal.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(public_.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(internal.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getTargetPort()).isEqualTo(new IntOrString(http.getContainerPort()));
        });
        assertThat(public_.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(80);
            assertThat(p.getTargetPort()).isEqualTo(new IntOrString(http.getContainerPort()));
        });
        for (Service s : List.of(internal, public_)) {
            assertThat(s.getMetadata().getLabels()).containsEntry("app", "sandbox-router");
            assertThat(LabelSelectors.matches(
                            new LabelSelector(null, s.getSpec().getSelector()), podLabels))
                    .as("%s selects the router pods", s.getMetadata().getName())
                    .isTrue();
        }
        assertThat(router.getMetadata().getLabels()).containsEntry("app", "sandbox-router");
    }

    /** Namespace, labels and port: the template's ingress rule admits the example's router pods and nothing else. */
    @Test
    void theTemplatesNetworkPolicyAdmitsTheseRouterPodsOnTheAgentsPort() {
        List<NetworkPolicyIngressRule> ingress =
                template.getSpec().getNetworkPolicy().getIngress();
        String sandboxes = template.getMetadata().getNamespace();
        Map<String, String> routerPod =
                router.getSpec().getTemplate().getMetadata().getLabels();
        Namespace routerNamespace = namespace(router.getMetadata().getNamespace());
        int agentPort = template.getSpec().getPodTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .filter(p -> "http".equals(p.getName()))
                .findFirst()
                .orElseThrow()
                .getContainerPort();

        assertThat(RouterAdmission.admits(ingress, sandboxes, routerNamespace, routerPod, agentPort))
                .as("the example's router pods reach the agent on its port %d", agentPort)
                .isTrue();
        assertThat(RouterAdmission.admits(ingress, sandboxes, routerNamespace, routerPod, 9090))
                .as("router pods on another port")
                .isFalse();
        assertThat(RouterAdmission.admits(ingress, sandboxes, routerNamespace, Map.of("app", "other"), agentPort))
                .as("other pods of the namespace")
                .isFalse();
        assertThat(RouterAdmission.admits(ingress, sandboxes, namespace("agent-sandbox-system"), routerPod, agentPort))
                .as("the cluster-wide router in agent-sandbox-system (it needs a template that names its namespace)")
                .isFalse();
    }

    private static Namespace namespace(String name) {
        if (name.equals(demo.getMetadata().getName())) {
            return demo;
        }
        Namespace other = new Namespace();
        other.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(name)
                .build());
        return other;
    }

    private static String describe(PolicyRule rule) {
        return String.join(",", rule.getApiGroups()) + "/" + String.join(",", rule.getResources()) + " "
                + rule.getResourceNames() + " " + rule.getVerbs();
    }
}
