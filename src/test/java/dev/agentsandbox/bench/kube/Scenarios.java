package dev.agentsandbox.bench.kube;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The scenarios of the side-by-side benchmark, written once for both controllers: only the objects both APIs share
 * (v1beta1 SandboxTemplate, SandboxWarmPool with {@code sandboxTemplateRef}, SandboxClaim with {@code warmPoolRef})
 * are created, as untyped objects, and every figure is taken on the client side. Each returns its figures by name.
 */
final class Scenarios {

    static final String TEMPLATE = "bench";
    static final String POOL = "bench";
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final KubernetesClient client;

    Scenarios(KubernetesClient client) {
        this.client = client;
    }

    /** Scenario 1: a pool of {@code size} from nothing to all members Ready. The pool stays for {@link #burst}. */
    Map<String, Double> poolFill(String ns, NamespaceWatch watch, int size) throws Exception {
        create(ns, NamespaceWatch.TEMPLATES, template());
        long t0 = System.nanoTime();
        create(ns, NamespaceWatch.POOLS, pool(size));
        NamespaceWatch.await("a pool of " + size + " Ready", TIMEOUT, () -> watch.ready.size() >= size);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(2000); // an overshoot shows after the last member is Ready too
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("seconds to all Ready", seconds);
        f.put("members Ready per second", size / seconds);
        f.put("peak members", (double) watch.peakAlive.get());
        f.put("members ever created", (double) watch.everSeen.size());
        f.put("overshoot", (double) Math.max(0, watch.peakAlive.get() - size));
        return f;
    }

    /** Scenario 3: {@code count} claims created at once (32 threads) on the Ready pool {@link #poolFill} left. */
    Map<String, Double> burst(String ns, NamespaceWatch watch, int count) throws Exception {
        Set<String> warmBefore = new HashSet<>(watch.ready);
        ExecutorService creators = Executors.newFixedThreadPool(32);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = "burst-" + i;
                created.add(creators.submit(() -> create(ns, NamespaceWatch.CLAIMS, claim(name))));
            }
            for (Future<?> f : created) {
                f.get();
            }
        } finally {
            creators.shutdown();
        }
        double createSeconds = (System.nanoTime() - t0) / 1e9;
        NamespaceWatch.await(count + " claims Ready", TIMEOUT, () -> watch.claimReadyAt.size() >= count);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Integer> claimsPerSandbox = new HashMap<>();
        watch.claimSandbox.values().forEach(s -> claimsPerSandbox.merge(s, 1, Integer::sum));
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("seconds to all Ready", seconds);
        f.put("claims Ready per second", count / seconds);
        f.put("seconds to create the claims", createSeconds);
        f.put("warm", (double) watch.claimSandbox.values().stream()
                .filter(warmBefore::contains)
                .count());
        f.put("distinct sandboxes", (double) claimsPerSandbox.size());
        f.put("double adoptions", (double)
                claimsPerSandbox.values().stream().mapToInt(n -> n - 1).sum());
        return f;
    }

    /**
     * Scenarios 2 and 4: {@code count} claims one after the other, each created when the one before is Ready, on a
     * pool of {@code poolSize} (0: every claim starts a sandbox cold). Latency: from just before the create request
     * to the arrival of the watch event that shows the claim Ready.
     */
    Map<String, Double> sequentialClaims(String ns, NamespaceWatch watch, int poolSize, int count) throws Exception {
        create(ns, NamespaceWatch.TEMPLATES, template());
        create(ns, NamespaceWatch.POOLS, pool(poolSize));
        NamespaceWatch.await("a pool of " + poolSize + " Ready", TIMEOUT, () -> watch.ready.size() >= poolSize);
        List<Double> millis = new ArrayList<>();
        int warm = 0;
        for (int i = 0; i < count; i++) {
            String name = "claim-" + i;
            Set<String> readyBefore = new HashSet<>(watch.ready);
            long t0 = System.nanoTime();
            create(ns, NamespaceWatch.CLAIMS, claim(name));
            long readyAt = watch.awaitClaimReady(name, TIMEOUT);
            millis.add((readyAt - t0) / 1e6);
            if (readyBefore.contains(watch.claimSandbox.get(name))) {
                warm++;
            }
        }
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("p50 ms", Stats.percentile(millis, 50));
        f.put("p95 ms", Stats.percentile(millis, 95));
        f.put("p99 ms", Stats.percentile(millis, 99));
        f.put("max ms", Stats.percentile(millis, 100));
        f.put("warm", (double) warm);
        f.put("claims", (double) count);
        return f;
    }

    /**
     * Scenario 5: the API server's write capacity: {@code count} ConfigMaps of about a Sandbox's size created from
     * {@code concurrency} threads.
     */
    Map<String, Double> configMapCreates(String ns, int count, int concurrency) throws Exception {
        String payload = "x".repeat(1500);
        ExecutorService creators = Executors.newFixedThreadPool(concurrency);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = "cm-" + concurrency + "-" + i;
                created.add(creators.submit(() -> client.configMaps()
                        .inNamespace(ns)
                        .resource(new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .addToData("payload", payload)
                                .build())
                        .create()));
            }
            for (Future<?> f : created) {
                f.get();
            }
        } finally {
            creators.shutdown();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return Map.of("creates per second at " + concurrency + " in flight", count / seconds);
    }

    private GenericKubernetesResource create(String ns, ResourceDefinitionContext kind, GenericKubernetesResource o) {
        o.setApiVersion(kind.getGroup() + "/" + kind.getVersion());
        o.setKind(kind.getKind());
        return client.genericKubernetesResources(kind)
                .inNamespace(ns)
                .resource(o)
                .create();
    }

    static GenericKubernetesResource template() {
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "main");
        container.put("image", "busybox");
        // the process kubelet runs the command as the Pod's process: no JVM, so that controllers and API are measured
        container.put("command", List.of("sleep", "86400"));
        Map<String, Object> podSpec = new LinkedHashMap<>();
        podSpec.put("containers", List.of(container));
        podSpec.put("terminationGracePeriodSeconds", 0);
        return object(TEMPLATE, Map.of("podTemplate", Map.of("spec", podSpec)));
    }

    static GenericKubernetesResource pool(int replicas) {
        return object(POOL, Map.of("replicas", replicas, "sandboxTemplateRef", Map.of("name", TEMPLATE)));
    }

    static GenericKubernetesResource claim(String name) {
        return object(name, Map.of("warmPoolRef", Map.of("name", POOL)));
    }

    private static GenericKubernetesResource object(String name, Map<String, Object> spec) {
        GenericKubernetesResource o = new GenericKubernetesResourceBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .build();
        o.setAdditionalProperty("spec", spec);
        return o;
    }
}
