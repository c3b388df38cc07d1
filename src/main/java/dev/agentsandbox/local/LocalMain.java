package dev.agentsandbox.local;

import dev.agentsandbox.app.Role;
import dev.agentsandbox.app.RoleMain;
import dev.agentsandbox.local.kubelet.KubeletSettings;
import dev.agentsandbox.local.kubelet.LocalNode;
import dev.agentsandbox.local.kubelet.ProcessKubelet;
import dev.agentsandbox.local.model.DemoModel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * {@code local --serve}: with the embedded API already up ({@link LocalPreBoot}) and the controllers and router of
 * this build running in this process, starts the process kubelet and (without model settings) the offline demo
 * model, applies the kata-aks example, waits for the warm pool, prints the lines scripts read, and serves until
 * Ctrl-C or SIGTERM. Children never outlive it (they run under a watchdog).
 */
@Singleton
public class LocalMain implements RoleMain {

    /** The agent's class archive the build records next to {@code quarkus-run.jar} (see pom.xml). */
    static final String CLASS_ARCHIVE = "agent-classes.jsa";

    private static final Logger LOG = Logger.getLogger(LocalMain.class);
    private static final List<String> MODEL_KEYS = List.of("OPENAI_BASE_URL", "OPENAI_API_KEY", "LLM_MODEL");
    private static final ResourceDefinitionContext POOLS = new ResourceDefinitionContext.Builder()
            .withGroup("extensions.agents.x-k8s.io")
            .withVersion("v1beta1")
            .withPlural("sandboxwarmpools")
            .withKind("SandboxWarmPool")
            .withNamespaced(true)
            .build();

    @Inject
    Instance<LocalConfig> config;

    @Inject
    Instance<LocalRouterEndpoint> router;

    @Override
    public Role role() {
        return Role.LOCAL;
    }

    @Override
    public int run(String... args) throws Exception {
        Optional<LocalRuntime> started = LocalRuntime.current();
        if (started.isEmpty()) {
            System.err.println("local mode: the embedded API server was not started before boot (run the packaged "
                    + "application: java -jar quarkus-run.jar local --serve)");
            return 1;
        }
        boolean serve = LocalOptions.parse(args).serve();
        LocalRuntime runtime = started.get();
        LocalConfig cfg = config.get();
        Clock clock = Clock.systemUTC();
        DemoModel model = null;
        ProcessKubelet kubelet = null;
        try (KubernetesClient client = runtime.controlPlane().client(LocalPreBoot.DEMO_NAMESPACE)) {
            Map<String, String> modelEnv = realModelSettings();
            if (modelEnv.isEmpty()) {
                model = DemoModel.start(clock);
                modelEnv = model.settings();
                LOG.infof("%s not all set: agents use the offline demo model at %s", MODEL_KEYS, model.baseUrl());
            }
            Optional<Path> jar = ApplicationJar.find(cfg.applicationJar());
            if (jar.isEmpty()) {
                LOG.warn("the application jar (quarkus-run.jar) was not found: agent Pods will stay Pending");
            } else if (!Files.isRegularFile(jar.get().resolveSibling(CLASS_ARCHIVE))) {
                LOG.infof(
                        "no agent class archive next to %s (the build makes it): agent processes start slower",
                        jar.get());
            }
            kubelet = new ProcessKubelet(
                            client,
                            new KubeletSettings(
                                            runtime.dataDir(),
                                            cfg.agentImageMarker(),
                                            jar.map(LocalMain::agentCommand).orElse(List.of()),
                                            model == null ? Map.of() : modelEnv,
                                            cfg.nodeName(),
                                            clock)
                                    .withPlatformApp(jar.map(Path::getParent))
                                    .onNodes(
                                            runtime.controlPlane().schedulesPods()
                                                    ? List.of(
                                                            LocalNode.systemPool(cfg.nodeName()),
                                                            LocalNode.kataPool(cfg.nodeName() + "-kata"))
                                                    : List.of()))
                    .start();
            KataAksExample.apply(client, cfg.exampleDir(), LocalPreBoot.DEMO_NAMESPACE, modelEnv);
            boolean ready = awaitPool(client, cfg.readyTimeout());
            if (!ready) {
                LOG.warnf(
                        "warm pool %s/%s is not ready after %s; printing anyway",
                        LocalPreBoot.DEMO_NAMESPACE, KataAksExample.POOL, cfg.readyTimeout());
            }
            if (!serve) {
                String modelDescription = model != null
                        ? "offline demo model at " + model.baseUrl() + " (not a language model; set OPENAI_BASE_URL, "
                                + "OPENAI_API_KEY and LLM_MODEL to use one)"
                        : modelEnv.get("LLM_MODEL") + " at " + modelEnv.get("OPENAI_BASE_URL");
                if (!router.isResolvable()) {
                    System.err.println("local mode: this build has no router; the demo needs one");
                    return 1;
                }
                return new LocalDemo(runtime, router.get(), System.out, System.err).run(modelDescription);
            }
            printLines(System.out, runtime.kubeconfig());
            Quarkus.waitForExit();
            return 0;
        } finally {
            if (kubelet != null) {
                kubelet.close();
            }
            if (model != null) {
                model.close();
            }
            runtime.controlPlane().close();
        }
    }

    /** The real model settings (environment or any config source) when all three are given, else empty. */
    private static Map<String, String> realModelSettings() {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (String key : MODEL_KEYS) {
            Optional<String> v = ConfigProvider.getConfig()
                    .getOptionalValue(key, String.class)
                    .filter(s -> !s.isBlank());
            if (v.isEmpty()) {
                return Map.of();
            }
            env.put(key, v.get());
        }
        return env;
    }

    /**
     * The command of an agent process: this JVM's java, the small-JVM flags and, when the build recorded one next
     * to the jar, the agent's class archive ({@link #CLASS_ARCHIVE}). The JVM checks that the archive belongs to
     * this JDK and jar and ignores it otherwise (a warning in the Pod's log), so a stale one only costs speed.
     */
    public static List<String> agentCommand(Path jar) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(KubeletSettings.SMALL_JVM);
        Path archive = jar.resolveSibling(CLASS_ARCHIVE);
        if (Files.isRegularFile(archive)) {
            cmd.add("-XX:SharedArchiveFile=" + archive);
        }
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    private boolean awaitPool(KubernetesClient client, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            GenericKubernetesResource pool = client.genericKubernetesResources(POOLS)
                    .inNamespace(LocalPreBoot.DEMO_NAMESPACE)
                    .withName(KataAksExample.POOL)
                    .get();
            if (pool != null && readyReplicas(pool) >= desiredReplicas(pool)) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static int desiredReplicas(GenericKubernetesResource pool) {
        Object spec = pool.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> s && s.get("replicas") instanceof Number n ? n.intValue() : 1;
    }

    private static int readyReplicas(GenericKubernetesResource pool) {
        Object status = pool.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> s && s.get("readyReplicas") instanceof Number n ? n.intValue() : 0;
    }

    /** The bare lines scripts read, in this order; router lines only once a router exists. */
    void printLines(PrintStream out, Path kubeconfig) {
        Optional<LocalRouterEndpoint> endpoint = router.isResolvable() ? Optional.of(router.get()) : Optional.empty();
        endpoint.flatMap(r -> r.ownerToken("alice")).ifPresent(t -> out.println("ROUTER_TOKEN_ALICE=" + t));
        endpoint.flatMap(r -> r.ownerToken("bob")).ifPresent(t -> out.println("ROUTER_TOKEN_BOB=" + t));
        out.println("KUBECONFIG=" + kubeconfig);
        endpoint.ifPresent(r -> out.println("ROUTER_URL=" + r.url()));
        out.flush();
    }
}
