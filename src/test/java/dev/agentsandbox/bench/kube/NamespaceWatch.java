package dev.agentsandbox.bench.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * What the client side sees of one namespace, through watches started before anything is created in it: every
 * Sandbox ever created, how many existed at once (the pool's overshoot), which are Ready, and when each SandboxClaim
 * first showed {@code Ready=True} and which Sandbox it names. Times are {@link System#nanoTime()} at the event's
 * arrival, so a claim's latency is measured as its user sees it.
 */
final class NamespaceWatch implements AutoCloseable {

    static final ResourceDefinitionContext SANDBOXES = context("agents.x-k8s.io", "Sandbox", "sandboxes");
    static final ResourceDefinitionContext CLAIMS =
            context("extensions.agents.x-k8s.io", "SandboxClaim", "sandboxclaims");
    static final ResourceDefinitionContext POOLS =
            context("extensions.agents.x-k8s.io", "SandboxWarmPool", "sandboxwarmpools");
    static final ResourceDefinitionContext TEMPLATES =
            context("extensions.agents.x-k8s.io", "SandboxTemplate", "sandboxtemplates");

    final Set<String> everSeen = ConcurrentHashMap.newKeySet();
    final Set<String> alive = ConcurrentHashMap.newKeySet();
    final Set<String> ready = ConcurrentHashMap.newKeySet();
    final AtomicInteger peakAlive = new AtomicInteger();
    final Map<String, Long> claimReadyAt = new ConcurrentHashMap<>();
    final Map<String, String> claimSandbox = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Long>> claimWaiters = new ConcurrentHashMap<>();
    private final Watch sandboxWatch;
    private final Watch claimWatch;

    NamespaceWatch(KubernetesClient client, String namespace) {
        sandboxWatch = client.genericKubernetesResources(SANDBOXES)
                .inNamespace(namespace)
                .watch(watcher(this::sandbox));
        claimWatch =
                client.genericKubernetesResources(CLAIMS).inNamespace(namespace).watch(watcher(this::claim));
    }

    private void sandbox(Watcher.Action action, GenericKubernetesResource s) {
        String name = s.getMetadata().getName();
        if (action == Watcher.Action.DELETED || s.getMetadata().getDeletionTimestamp() != null) {
            alive.remove(name);
            ready.remove(name);
            return;
        }
        everSeen.add(name);
        alive.add(name);
        peakAlive.accumulateAndGet(alive.size(), Math::max);
        if (readyCondition(s)) {
            ready.add(name);
        } else {
            ready.remove(name);
        }
    }

    private void claim(Watcher.Action action, GenericKubernetesResource c) {
        if (action == Watcher.Action.DELETED || !readyCondition(c)) {
            return;
        }
        long now = System.nanoTime();
        String name = c.getMetadata().getName();
        if (claimReadyAt.putIfAbsent(name, now) == null) {
            Object sandbox = path(c.getAdditionalProperties(), "status", "sandbox", "name");
            if (sandbox != null) {
                claimSandbox.put(name, sandbox.toString());
            }
            claimWaiters.computeIfAbsent(name, n -> new CompletableFuture<>()).complete(now);
        }
    }

    /** The {@link System#nanoTime()} at which the claim was first seen Ready. */
    long awaitClaimReady(String claim, Duration timeout) throws Exception {
        return claimWaiters
                .computeIfAbsent(claim, n -> new CompletableFuture<>())
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        await(what, timeout, 5, condition);
    }

    static void await(String what, Duration timeout, long pollMillis, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(pollMillis);
        }
    }

    static boolean readyCondition(GenericKubernetesResource r) {
        Object conditions = path(r.getAdditionalProperties(), "status", "conditions");
        if (conditions instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && "Ready".equals(m.get("type")) && "True".equals(m.get("status"))) {
                    return true;
                }
            }
        }
        return false;
    }

    static Object path(Map<String, Object> root, String... keys) {
        Object at = root;
        for (String k : keys) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(k);
        }
        return at;
    }

    @Override
    public void close() {
        sandboxWatch.close();
        claimWatch.close();
    }

    private static Watcher<GenericKubernetesResource> watcher(
            java.util.function.BiConsumer<Watcher.Action, GenericKubernetesResource> handler) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                handler.accept(action, resource);
            }

            @Override
            public void onClose(WatcherException cause) {
                // a benchmark's watch lives for a minute or two; a closed one shows as a timeout of the scenario
            }
        };
    }

    private static ResourceDefinitionContext context(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion("v1beta1")
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }
}
