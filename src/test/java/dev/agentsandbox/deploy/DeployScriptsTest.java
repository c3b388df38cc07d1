package dev.agentsandbox.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.deploy.FakeCommands.Run;
import dev.agentsandbox.deploy.FakeCommands.World;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs deploy/aks/deploy.sh and deploy/kind/setup.sh against fake az, kubectl, helm, kind, docker and mvnw, and
 * checks the exact commands in order: for a dry run (nothing may run), a first install, and a second run against a
 * cluster where everything exists (nothing may be created, built or pushed again); deploy.sh with and without its
 * Helm chart, setup.sh with it.
 */
class DeployScriptsTest {

    static final Path REPO = Path.of("").toAbsolutePath();
    static final String AKS = "deploy/aks/deploy.sh";
    static final String KIND = "deploy/kind/setup.sh";
    static final String API_KEY = "sk-test-0123456789-do-not-echo";
    static final List<String> CRDS = List.of(
            "sandboxes.agents.x-k8s.io",
            "sandboxtemplates.extensions.agents.x-k8s.io",
            "sandboxwarmpools.extensions.agents.x-k8s.io",
            "sandboxclaims.extensions.agents.x-k8s.io");
    /** Commands that change a cluster, a registry or an image: a second run must issue none of them. */
    static final List<String> MUTATIONS = List.of(
            "nodepool add",
            "docker build",
            "docker push",
            "az acr login",
            "create secret",
            "create namespace",
            "kind create");

    @TempDir
    Path tmp;

    FakeCommands fakes;
    Path manifests;
    Path chart;

    @BeforeEach
    void setUp() throws IOException {
        fakes = new FakeCommands(tmp);
        // A stand-in for target/kubernetes/: the scripts render kubernetes.yml and apply the four CRD files.
        manifests = Files.createDirectories(tmp.resolve("manifests"));
        Files.writeString(manifests.resolve("kubernetes.yml"), "image: ghcr.io/agent-sandbox/agent-sandbox:0.1.0\n");
        for (String crd : CRDS) {
            Files.writeString(manifests.resolve(crd + "-v1.yml"), "kind: CustomResourceDefinition\n");
        }
        // A stand-in for the chart: the scripts apply its crds/ and hand the folder to helm.
        chart = Files.createDirectories(tmp.resolve("chart"));
        Files.createDirectories(chart.resolve("crds"));
        for (String crd : CRDS) {
            Files.writeString(chart.resolve("crds").resolve(crd + "-v1.yml"), "kind: CustomResourceDefinition\n");
        }
    }

    Map<String, String> aksSettings(boolean withModel) {
        Map<String, String> env = FakeCommands.env(
                "AZ_RESOURCE_GROUP",
                "rg-demo",
                "AKS_CLUSTER",
                "aks-demo",
                "ACR_NAME",
                "acrdemo",
                "IMAGE_TAG",
                "abc123",
                "MANIFESTS",
                manifests.toString(),
                "CHART",
                chart.toString(),
                "MVNW",
                fakes.mvnw().toString());
        if (withModel) {
            env.putAll(model());
        }
        return env;
    }

    static Map<String, String> model() {
        return FakeCommands.env(
                "OPENAI_BASE_URL",
                "https://example.openai.azure.com/openai/v1/",
                "OPENAI_API_KEY",
                API_KEY,
                "LLM_MODEL",
                "gpt-4o-mini");
    }

    // ---- AKS ------------------------------------------------------------------------------------------------

    @Test
    void aksFirstInstallRunsEveryStepInOrder() throws Exception {
        Run run = fakes.run(REPO, AKS, World.FRESH, aksSettings(true), "--create-node-pool");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).containsExactlyElementsOf(aksPlan(true));
        assertThat(run.output())
                .contains("Router: http://" + FakeCommands.ROUTER_IP)
                .contains("export ROUTER_BASE_URL=http://" + FakeCommands.ROUTER_IP)
                .contains("X-Sandbox-ID: $SANDBOX");
    }

    @Test
    void aksSecondRunCreatesBuildsAndPushesNothing() throws Exception {
        Run run = fakes.run(REPO, AKS, World.EXISTING, aksSettings(false));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).containsExactlyElementsOf(aksPlan(false));
        assertThat(run.calls()).noneMatch(call -> MUTATIONS.stream().anyMatch(call::contains));
        assertThat(run.output())
                .contains("Secret agent-sandbox-system/sandbox-router-auth exists; keeping its token")
                .contains("Secret sandbox-agent-demo/azure-foundry exists");
    }

    @Test
    void aksSecretValuesTravelOnStandardInputOnly() throws Exception {
        Run run = fakes.run(REPO, AKS, World.FRESH, aksSettings(true), "--create-node-pool");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).doesNotContain(API_KEY);
        assertThat(run.calls()).noneMatch(call -> call.contains(API_KEY));
        assertThat(run.secretInputs()).hasSize(3);
        // the cluster-wide router's token, the model settings, the example router's token (another one)
        assertThat(run.secretInputs().get(0)).matches("token=[0-9a-f]{64}\n");
        assertThat(run.secretInputs().get(2))
                .matches("token=[0-9a-f]{64}\n")
                .isNotEqualTo(run.secretInputs().get(0));
        assertThat(run.secretInputs().get(1))
                .isEqualTo(
                        """
                OPENAI_BASE_URL=https://example.openai.azure.com/openai/v1/
                OPENAI_API_KEY=%s
                LLM_MODEL=gpt-4o-mini
                """
                                .formatted(API_KEY));
    }

    @Test
    void aksStopsBeforeAnyChangeWhenSettingsAreMissing() throws Exception {
        Run run = fakes.run(REPO, AKS, World.FRESH, FakeCommands.env("IMAGE_TAG", "abc123"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output())
                .contains("missing settings (environment variables): AZ_RESOURCE_GROUP AKS_CLUSTER ACR_NAME");
        assertThat(run.calls()).isEmpty();
    }

    @Test
    void aksWithoutNodePoolStopsAndShowsTheCommand() throws Exception {
        Run run = fakes.run(REPO, AKS, World.FRESH, aksSettings(true));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output())
                .contains("node pool katapool not found; rerun with --create-node-pool, or run: az aks nodepool add");
        assertThat(run.calls()).noneMatch(call -> MUTATIONS.stream().anyMatch(call::contains));
    }

    @Test
    void aksDryRunPrintsThePlanAndRunsNothingWithoutSettings() throws Exception {
        Run run = fakes.run(REPO, AKS, World.FRESH, Map.of(), "--dry-run");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).as("commands run during a dry run").isEmpty();
        String tag = imageTag("");
        String registry = "<ACR_NAME>.azurecr.io";
        String m = "$ROOT/target/kubernetes";
        String out = "$ROOT/target/deploy/aks";
        String k = "kubectl --context <AKS_CLUSTER>";
        List<String> expected = new ArrayList<>(List.of(
                "command -v az kubectl docker   # check",
                "az account show --output none   # check",
                "az aks show --resource-group <AZ_RESOURCE_GROUP> --name <AKS_CLUSTER> --output none   # check",
                "az acr show --name <ACR_NAME> --output none   # check",
                "az aks get-credentials --resource-group <AZ_RESOURCE_GROUP> --name <AKS_CLUSTER> --overwrite-existing",
                "az aks nodepool show --resource-group <AZ_RESOURCE_GROUP> --cluster-name <AKS_CLUSTER> --name katapool --output none   # check",
                "az aks nodepool add --resource-group <AZ_RESOURCE_GROUP> --cluster-name <AKS_CLUSTER> --name katapool --os-sku AzureLinux"
                        + " --workload-runtime KataVmIsolation --node-vm-size Standard_D4s_v3 --node-count 1 --node-taints kata=enabled:NoSchedule",
                "az acr repository show --name <ACR_NAME> --image agent-sandbox-agent:" + tag + "   # check",
                "$ROOT/mvnw -B package -DskipTests -Pnative,agent -Dquarkus.native.container-build=true",
                "docker build -f $ROOT/src/main/docker/Dockerfile.native --build-arg SANDBOX_ROLE=agent -t " + registry
                        + "/agent-sandbox-agent:" + tag + " $ROOT",
                "az acr login --name <ACR_NAME>",
                "docker push " + registry + "/agent-sandbox-agent:" + tag,
                "az acr repository show --name <ACR_NAME> --image agent-sandbox:" + tag + "   # check",
                "$ROOT/mvnw -B package -DskipTests -Pnative -Dquarkus.native.container-build=true",
                "docker build -f $ROOT/src/main/docker/Dockerfile.native -t " + registry + "/agent-sandbox:" + tag
                        + " $ROOT",
                "docker push " + registry + "/agent-sandbox:" + tag));
        String sed = "sed -e 's|ghcr.io/agent-sandbox/agent-sandbox:0.1.0|" + registry + "/agent-sandbox:" + tag
                + "|g' -e 's|ghcr.io/agent-sandbox/agent-sandbox-agent:0.1.0|" + registry + "/agent-sandbox-agent:"
                + tag + "|g' ";
        expected.add(sed + m + "/kubernetes.yml > " + out + "/kubernetes.yml");
        for (String file :
                List.of("namespace.yaml", "router.yaml", "sandbox-template.yaml", "warm-pool.yaml", "claim.yaml")) {
            expected.add(sed + "$ROOT/deploy/kata-aks/" + file + " > " + out + "/" + file);
        }
        expected.addAll(asPrinted(platformAndDemo(k, m, out, true, true)));
        expected.add(k + " get service sandbox-router-public --namespace sandbox-agent-demo --output"
                + " jsonpath={.status.loadBalancer.ingress[0].ip}");
        assertThat(commandLines(run.output())).containsExactlyElementsOf(expected);
        assertThat(run.output()).contains("Router: http://<ROUTER_PUBLIC_IP>");
    }

    @Test
    void aksWithHelmInstallsTheChartInsteadOfTheManifests() throws Exception {
        Run first = fakes.run(REPO, AKS, World.FRESH, aksSettings(true), "--create-node-pool", "--helm");

        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.calls()).containsExactlyElementsOf(aksHelmPlan(true));
        assertThat(first.output()).contains("Router: http://" + FakeCommands.ROUTER_IP);

        Run second = fakes.run(REPO, AKS, World.EXISTING, aksSettings(false), "--helm");
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.calls()).containsExactlyElementsOf(aksHelmPlan(false));
        assertThat(second.calls()).noneMatch(call -> MUTATIONS.stream().anyMatch(call::contains));
    }

    @Test
    void aksDryRunWithHelmPrintsTheChartsPlanAndRunsNothing() throws Exception {
        Run run = fakes.run(REPO, AKS, World.FRESH, Map.of(), "--dry-run", "--helm");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).as("commands run during a dry run").isEmpty();
        List<String> lines = commandLines(run.output());
        assertThat(lines).startsWith("command -v az kubectl docker helm   # check");
        String k = "kubectl --context <AKS_CLUSTER>";
        String chartDir = "$ROOT/target/helm/kubernetes/agent-sandbox";
        List<String> cluster = asPrinted(withImage(
                chartAndDemo(k, chartDir, "$ROOT/target/deploy/aks", true, true),
                "<AKS_CLUSTER>",
                chartDir,
                "<ACR_NAME>.azurecr.io",
                imageTag("")));
        assertThat(lines).containsSubsequence(cluster);
        assertThat(lines).noneMatch(line -> line.contains("kubernetes.yml"));
    }

    @Test
    void aksDryRunWithoutGitNamesTheTagByAPlaceholder() throws Exception {
        Run run = fakes.run(
                REPO,
                AKS,
                World.FRESH,
                FakeCommands.env("GIT_DIR", tmp.resolve("no-git").toString()),
                "--dry-run");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("docker push <ACR_NAME>.azurecr.io/agent-sandbox:<IMAGE_TAG>");
        assertThat(run.calls()).isEmpty();
    }

    @Test
    void unknownOptionsAreRefusedAndHelpIsPrinted() throws Exception {
        for (String script : List.of(AKS, KIND)) {
            Run refused = fakes.run(REPO, script, World.FRESH, Map.of(), "--dryrun");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("unknown option: --dryrun").contains("Usage:");
            Run help = fakes.run(REPO, script, World.FRESH, Map.of(), "--help");
            assertThat(help.exitCode()).isZero();
            assertThat(help.output()).contains("--dry-run").contains("--render-only DIR");
            assertThat(refused.calls()).isEmpty();
            assertThat(help.calls()).isEmpty();
        }
    }

    /** What deploy.sh runs against the fakes; fresh: the first install, else the second run. */
    List<String> aksPlan(boolean fresh) {
        String k = "kubectl --context aks-demo";
        List<String> plan = aksBuild(fresh);
        plan.addAll(platformAndDemo(k, "$TMP/manifests", "$ROOT/target/deploy/aks", fresh, fresh));
        plan.add(k + " get service sandbox-router-public --namespace sandbox-agent-demo --output"
                + " jsonpath={.status.loadBalancer.ingress[0].ip}");
        return plan;
    }

    /** What deploy.sh --helm runs: the same checks and images, then the chart instead of kubernetes.yml. */
    List<String> aksHelmPlan(boolean fresh) {
        String k = "kubectl --context aks-demo";
        List<String> plan = aksBuild(fresh);
        plan.addAll(withImage(
                chartAndDemo(k, "$TMP/chart", "$ROOT/target/deploy/aks", fresh, fresh),
                "aks-demo",
                "$TMP/chart",
                "acrdemo.azurecr.io",
                "abc123"));
        plan.add(k + " get service sandbox-router-public --namespace sandbox-agent-demo --output"
                + " jsonpath={.status.loadBalancer.ingress[0].ip}");
        return plan;
    }

    /** deploy.sh's checks, credentials, node pool and images, up to the cluster part. */
    List<String> aksBuild(boolean fresh) {
        List<String> plan = new ArrayList<>(List.of(
                "az account show --output none",
                "az aks show --resource-group rg-demo --name aks-demo --output none",
                "az acr show --name acrdemo --output none",
                "az aks get-credentials --resource-group rg-demo --name aks-demo --overwrite-existing",
                "az aks nodepool show --resource-group rg-demo --cluster-name aks-demo --name katapool --output none"));
        if (fresh) {
            plan.addAll(List.of(
                    "az aks nodepool add --resource-group rg-demo --cluster-name aks-demo --name katapool --os-sku AzureLinux"
                            + " --workload-runtime KataVmIsolation --node-vm-size Standard_D4s_v3 --node-count 1"
                            + " --node-taints kata=enabled:NoSchedule",
                    "az acr repository show --name acrdemo --image agent-sandbox-agent:abc123",
                    "mvnw -B package -DskipTests -Pnative,agent -Dquarkus.native.container-build=true",
                    "docker build -f $ROOT/src/main/docker/Dockerfile.native --build-arg SANDBOX_ROLE=agent"
                            + " -t acrdemo.azurecr.io/agent-sandbox-agent:abc123 $ROOT",
                    "az acr login --name acrdemo",
                    "docker push acrdemo.azurecr.io/agent-sandbox-agent:abc123",
                    "az acr repository show --name acrdemo --image agent-sandbox:abc123",
                    "mvnw -B package -DskipTests -Pnative -Dquarkus.native.container-build=true",
                    "docker build -f $ROOT/src/main/docker/Dockerfile.native -t acrdemo.azurecr.io/agent-sandbox:abc123 $ROOT",
                    "docker push acrdemo.azurecr.io/agent-sandbox:abc123"));
        } else {
            plan.addAll(List.of(
                    "az acr repository show --name acrdemo --image agent-sandbox-agent:abc123",
                    "az acr repository show --name acrdemo --image agent-sandbox:abc123",
                    "mvnw -B package -DskipTests"));
        }
        return plan;
    }

    /** The cluster part of the manifests path: CRDs, platform, router token, rollouts, then the example. */
    static List<String> platformAndDemo(
            String k, String manifests, String rendered, boolean createRouterToken, boolean modelFromEnv) {
        List<String> steps = crds(k, manifests);
        steps.add(k + " apply -f " + rendered + "/kubernetes.yml");
        steps.add(k + " get secret sandbox-router-auth --namespace agent-sandbox-system");
        if (createRouterToken) {
            steps.addAll(secret(k, "sandbox-router-auth", "agent-sandbox-system"));
        }
        steps.add(
                k
                        + " rollout status deployment/agent-sandbox-controller --namespace agent-sandbox-system --timeout=300s");
        steps.add(
                k
                        + " rollout status deployment/sandbox-router-deployment --namespace agent-sandbox-system --timeout=300s");
        steps.addAll(demo(k, rendered, createRouterToken, modelFromEnv));
        return steps;
    }

    /**
     * The cluster part of the chart path: the chart's CRDs server-side, the namespace and the router token outside
     * the release, helm upgrade --install (image placeholders: see {@link #helmInstall}), then the example.
     */
    static List<String> chartAndDemo(String k, String chart, String rendered, boolean fresh, boolean modelFromEnv) {
        List<String> steps = crds(k, chart + "/crds");
        steps.add(k + " get namespace agent-sandbox-system");
        if (fresh) {
            steps.add(k + " create namespace agent-sandbox-system");
        }
        steps.add(k + " get secret sandbox-router-auth --namespace agent-sandbox-system");
        if (fresh) {
            steps.addAll(secret(k, "sandbox-router-auth", "agent-sandbox-system"));
        }
        steps.add(helmInstall(k.substring(k.lastIndexOf(' ') + 1), chart, "<REGISTRY>", "<TAG>"));
        steps.addAll(demo(k, rendered, fresh, modelFromEnv));
        return steps;
    }

    /** The steps with the image placeholders of the helm command replaced. */
    static List<String> withImage(List<String> steps, String context, String chart, String registry, String tag) {
        List<String> replaced = new ArrayList<>(steps);
        replaced.set(
                replaced.indexOf(helmInstall(context, chart, "<REGISTRY>", "<TAG>")),
                helmInstall(context, chart, registry, tag));
        return replaced;
    }

    static String helmInstall(String context, String chart, String registry, String tag) {
        return "helm upgrade --install agent-sandbox " + chart + " --kube-context " + context
                + " --namespace agent-sandbox-system --skip-crds --set namespace.create=false --set-string image.registry="
                + registry + ",image.repository=agent-sandbox,image.tag=" + tag + " --wait --timeout 300s";
    }

    static List<String> crds(String k, String dir) {
        List<String> steps = new ArrayList<>();
        StringBuilder apply =
                new StringBuilder(k + " apply --server-side --force-conflicts --field-manager=agent-sandbox-deploy");
        for (String crd : CRDS) {
            apply.append(" -f ").append(dir).append('/').append(crd).append("-v1.yml");
        }
        steps.add(apply.toString());
        steps.add(k + " wait --for=condition=Established --timeout=60s "
                + String.join(" ", CRDS.stream().map(c -> "crd/" + c).toList()));
        return steps;
    }

    /** The example: namespace, model Secret, its own router and token, template, pool, claim and the waits. */
    static List<String> demo(String k, String rendered, boolean createRouterToken, boolean modelFromEnv) {
        List<String> steps = new ArrayList<>();
        steps.add(k + " apply -f " + rendered + "/namespace.yaml");
        if (modelFromEnv) {
            steps.addAll(secret(k, "azure-foundry", "sandbox-agent-demo"));
        } else {
            steps.add(k + " get secret azure-foundry --namespace sandbox-agent-demo");
        }
        // the example's own router, in the sandboxes' namespace
        steps.add(k + " get secret sandbox-router-auth --namespace sandbox-agent-demo");
        if (createRouterToken) {
            steps.addAll(secret(k, "sandbox-router-auth", "sandbox-agent-demo"));
        }
        steps.add(k + " apply -f " + rendered + "/router.yaml");
        steps.add(k
                + " rollout status deployment/sandbox-router-deployment --namespace sandbox-agent-demo --timeout=300s");
        steps.add(k + " apply -f " + rendered + "/sandbox-template.yaml");
        steps.add(k + " apply -f " + rendered + "/warm-pool.yaml");
        steps.add(k + " apply -f " + rendered + "/claim.yaml");
        steps.add(k + " wait --namespace sandbox-agent-demo --for=jsonpath={.status.readyReplicas}=3"
                + " sandboxwarmpool/kata-aks-warmpool --timeout=600s");
        steps.add(
                k
                        + " wait --namespace sandbox-agent-demo --for=condition=Ready sandboxclaim/my-aks-agent --timeout=300s");
        return steps;
    }

    static List<String> secret(String k, String name, String namespace) {
        return List.of(
                k + " create secret generic " + name + " --namespace " + namespace
                        + " --from-env-file=/dev/stdin --dry-run=client --output=yaml",
                k + " apply -f -");
    }

    // ---- kind -----------------------------------------------------------------------------------------------

    @Test
    void kindFirstSetupCreatesTheClusterBuildsLoadsAndApplies() throws Exception {
        Map<String, String> env = FakeCommands.env(
                "IMAGE_TAG",
                "dev-abc123",
                "CHART",
                chart.toString(),
                "MVNW",
                fakes.mvnw().toString());
        env.putAll(model());
        Run run = fakes.run(REPO, KIND, World.FRESH, env);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).containsExactlyElementsOf(kindPlan(true));
        assertThat(run.output())
                .contains("No RuntimeClass gvisor: sandboxes run with runc")
                .contains("kubectl --context kind-agent-sandbox port-forward --namespace sandbox-agent-demo"
                        + " service/sandbox-router-svc 18080:8080 &")
                .doesNotContain(API_KEY);
        assertThat(Files.readString(REPO.resolve("target/deploy/kind/sandbox-template.yaml")))
                .contains("image: agent-sandbox-agent:dev-abc123")
                .doesNotContain("runtimeClassName");
    }

    @Test
    void kindSecondRunChangesNothingAndUsesGvisorWhenInstalled() throws Exception {
        Map<String, String> env = FakeCommands.env(
                "IMAGE_TAG",
                "dev-abc123",
                "CHART",
                chart.toString(),
                "MVNW",
                fakes.mvnw().toString(),
                "FAKE_GVISOR",
                "true");
        Run run = fakes.run(REPO, KIND, World.EXISTING, env);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).containsExactlyElementsOf(kindPlan(false));
        assertThat(run.calls()).noneMatch(call -> MUTATIONS.stream().anyMatch(call::contains));
        assertThat(run.output()).contains("RuntimeClass gvisor found");
        assertThat(Files.readString(REPO.resolve("target/deploy/kind/sandbox-template.yaml")))
                .contains("\n      runtimeClassName: gvisor\n");
    }

    @Test
    void kindDryRunRunsNothing() throws Exception {
        Run run = fakes.run(REPO, KIND, World.FRESH, Map.of(), "--dry-run");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).as("commands run during a dry run").isEmpty();
        String tag = imageTag("dev-");
        List<String> lines = commandLines(run.output());
        assertThat(lines)
                .startsWith(
                        "command -v kind kubectl docker helm   # check",
                        "kind get clusters",
                        "kind create cluster --name agent-sandbox --config $ROOT/deploy/kind/kind-config.yaml --wait 120s",
                        "docker image inspect agent-sandbox-agent:" + tag + "   # check",
                        "$ROOT/mvnw -B package -DskipTests -Pagent",
                        "docker build --network host -f $ROOT/src/main/docker/Dockerfile.jvm --build-arg"
                                + " BASE_IMAGE=eclipse-temurin:17-jre --build-arg APP=target/agent/quarkus-app"
                                + " --build-arg SANDBOX_ROLE=agent -t agent-sandbox-agent:" + tag + " $ROOT",
                        "$ROOT/mvnw -B package -DskipTests",
                        "docker image inspect agent-sandbox:" + tag + "   # check",
                        "docker build --network host -f $ROOT/src/main/docker/Dockerfile.jvm --build-arg"
                                + " BASE_IMAGE=eclipse-temurin:17-jre -t agent-sandbox:" + tag + " $ROOT",
                        "kind load docker-image agent-sandbox:" + tag + " agent-sandbox-agent:" + tag
                                + " --name agent-sandbox",
                        "kubectl --context kind-agent-sandbox get runtimeclass gvisor   # check");
        assertThat(lines)
                .endsWith(
                        "kubectl --context kind-agent-sandbox wait --namespace sandbox-agent-demo --for=condition=Ready"
                                + " sandboxclaim/my-aks-agent --timeout=300s");
        assertThat(lines)
                .contains(helmInstall("kind-agent-sandbox", "$ROOT/target/helm/kubernetes/agent-sandbox", "", tag))
                .noneMatch(line -> line.contains("kubernetes.yml"));
        assertThat(lines)
                .hasSize(11
                        + 5
                        + asPrinted(chartAndDemo("k", "c", "r", true, true)).size());
    }

    List<String> kindPlan(boolean fresh) {
        String k = "kubectl --context kind-agent-sandbox";
        List<String> plan = new ArrayList<>();
        plan.add("kind get clusters");
        if (fresh) {
            plan.add(
                    "kind create cluster --name agent-sandbox --config $ROOT/deploy/kind/kind-config.yaml --wait 120s");
        }
        plan.add("docker image inspect agent-sandbox-agent:dev-abc123");
        if (fresh) {
            plan.add("mvnw -B package -DskipTests -Pagent");
            plan.add("docker build --network host -f $ROOT/src/main/docker/Dockerfile.jvm --build-arg"
                    + " BASE_IMAGE=eclipse-temurin:17-jre --build-arg APP=target/agent/quarkus-app"
                    + " --build-arg SANDBOX_ROLE=agent -t agent-sandbox-agent:dev-abc123 $ROOT");
        }
        plan.add("mvnw -B package -DskipTests");
        plan.add("docker image inspect agent-sandbox:dev-abc123");
        if (fresh) {
            plan.add("docker build --network host -f $ROOT/src/main/docker/Dockerfile.jvm --build-arg"
                    + " BASE_IMAGE=eclipse-temurin:17-jre -t agent-sandbox:dev-abc123 $ROOT");
        }
        plan.add("kind load docker-image agent-sandbox:dev-abc123 agent-sandbox-agent:dev-abc123 --name agent-sandbox");
        plan.add(k + " get runtimeclass gvisor");
        plan.addAll(withImage(
                chartAndDemo(k, "$TMP/chart", "$ROOT/target/deploy/kind", fresh, fresh),
                "kind-agent-sandbox",
                "$TMP/chart",
                "",
                "dev-abc123"));
        return plan;
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /**
     * Commands as a dry run prints them: checks marked, and each Secret pipeline on one line that names the
     * variables its values come from.
     */
    static List<String> asPrinted(List<String> calls) {
        List<String> printed = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            String call = calls.get(i);
            if (call.contains(" get secret ") || call.contains(" get namespace ")) {
                printed.add(call + "   # check");
            } else if (call.contains(" create secret generic ")) {
                String from =
                        call.contains("sandbox-router-auth") ? "token" : "OPENAI_BASE_URL OPENAI_API_KEY LLM_MODEL";
                printed.add(call + " | " + calls.get(++i) + "   # values from " + from + ", not shown");
            } else {
                printed.add(call);
            }
        }
        return printed;
    }

    /** The "+ command" lines a script prints, without the marker. */
    static List<String> commandLines(String output) {
        return output.lines()
                .filter(line -> line.startsWith("+ "))
                .map(line -> line.substring(2))
                .toList();
    }

    /** The tag the scripts derive from git when IMAGE_TAG is not set, or their placeholder without git. */
    static String imageTag(String prefix) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "-C", REPO.toString(), "rev-parse", "--short=12", "HEAD")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String commit = new String(git.getInputStream().readAllBytes()).trim();
        return git.waitFor() == 0 && !commit.isEmpty() ? prefix + commit : "<IMAGE_TAG>";
    }
}
