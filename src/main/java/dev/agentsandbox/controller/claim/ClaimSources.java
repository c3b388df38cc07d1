package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.Ownership;
import dev.agentsandbox.controller.warmpool.WarmPoolMembers;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a claim reads, from informers whose events wake exactly the claims concerned: a claim's own Sandbox wakes the
 * claim; a pool, a template or a Ready pool member wakes only the claims waiting for it ({@link ClaimWaiters}).
 */
final class ClaimSources {

    private final ClaimWaiters waiters;
    private InformerEventSource<Sandbox, SandboxClaim> sandboxes;
    private InformerEventSource<SandboxWarmPool, SandboxClaim> pools;
    private InformerEventSource<SandboxTemplate, SandboxClaim> templates;

    ClaimSources(ClaimWaiters waiters) {
        this.waiters = waiters;
    }

    List<EventSource<?, SandboxClaim>> prepare(EventSourceContext<SandboxClaim> context) {
        IndexerResourceCache<SandboxClaim> claims = context.getPrimaryCache();
        Predicate<ResourceID> exists = id -> claims.get(id).isPresent();
        sandboxes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Sandbox.class, SandboxClaim.class)
                        .withName("claim-sandboxes")
                        .withLabelSelector(Labels.LAUNCH_TYPE)
                        .withSecondaryToPrimaryMapper(s -> existing(claimsWokenBy(s), exists))
                        .build(),
                context);
        pools = wokenForWaiters(SandboxWarmPool.class, "claim-pools", ClaimWaiters::pool, context, exists);
        templates = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(SandboxTemplate.class, SandboxClaim.class)
                        .withName("claim-templates")
                        .withSecondaryToPrimaryMapper(t -> existing(claimsWokenBy(t), exists))
                        .build(),
                context);
        return List.of(sandboxes, pools, templates);
    }

    /** An informer of {@code type} whose objects wake the claims waiting for them, by namespace and name. */
    private <R extends HasMetadata> InformerEventSource<R, SandboxClaim> wokenForWaiters(
            Class<R> type,
            String name,
            BinaryOperator<String> waitKey,
            EventSourceContext<SandboxClaim> context,
            Predicate<ResourceID> exists) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, SandboxClaim.class)
                        .withName(name)
                        .withSecondaryToPrimaryMapper(o -> existing(
                                waiters.waitingFor(waitKey.apply(
                                        namespace(o), o.getMetadata().getName())),
                                exists))
                        .build(),
                context);
    }

    /** A claim's own Sandbox wakes the claim; a Ready pool member wakes the claims waiting for that pool's members. */
    Set<ResourceID> claimsWokenBy(Sandbox sandbox) {
        String namespace = namespace(sandbox);
        Optional<ResourceID> owner = Ownership.controllerOf(sandbox)
                .filter(r -> SandboxClaim.KIND.equals(r.getKind()))
                .map(r -> new ResourceID(r.getName(), namespace));
        if (owner.isPresent()) {
            return Set.of(owner.get());
        }
        return Ownership.controllerOf(sandbox)
                .filter(r -> SandboxWarmPool.KIND.equals(r.getKind()) && WarmPoolMembers.isReady(sandbox))
                .map(r -> waiters.waitingFor(ClaimWaiters.members(namespace, r.getName())))
                .orElse(Set.of());
    }

    /**
     * A template wakes the claims waiting for it, and the claims whose Sandbox was built from it: its idle policy may
     * have changed.
     */
    Set<ResourceID> claimsWokenBy(SandboxTemplate template) {
        String namespace = namespace(template);
        String name = template.getMetadata().getName();
        Set<ResourceID> woken = new HashSet<>(waiters.waitingFor(ClaimWaiters.template(namespace, name)));
        sandboxes
                .list(namespace, s -> name.equals(ClaimAnnotations.get(s, Labels.SANDBOX_TEMPLATE_REF)))
                .map(s -> Ownership.controllerOf(s).filter(r -> SandboxClaim.KIND.equals(r.getKind())))
                .flatMap(Optional::stream)
                .forEach(r -> woken.add(new ResourceID(r.getName(), namespace)));
        return woken;
    }

    /** The template a claim's Sandbox was built from: the one the Sandbox names, else the one the claim's pool names. */
    Optional<SandboxTemplate> templateOf(SandboxClaim claim, Sandbox sandbox) {
        String namespace = namespace(claim);
        String name = ClaimAnnotations.get(sandbox, Labels.SANDBOX_TEMPLATE_REF);
        if (name == null) {
            name = pool(namespace, claim.getSpec().getWarmPoolRef().getName())
                    .map(p -> p.getSpec().getSandboxTemplateRef().getName())
                    .orElse(null);
        }
        return name == null ? Optional.empty() : template(namespace, name);
    }

    Optional<SandboxWarmPool> pool(String namespace, String name) {
        return pools.get(new ResourceID(name, namespace));
    }

    Optional<SandboxTemplate> template(String namespace, String name) {
        return templates.get(new ResourceID(name, namespace));
    }

    Optional<Sandbox> sandbox(String namespace, String name) {
        return sandboxes.get(new ResourceID(name, namespace));
    }

    Stream<Sandbox> sandboxes(String namespace, Predicate<Sandbox> which) {
        return sandboxes.list(namespace, which);
    }

    private static Set<ResourceID> existing(Set<ResourceID> ids, Predicate<ResourceID> exists) {
        return ids.stream().filter(exists).collect(Collectors.toSet());
    }

    private static String namespace(HasMetadata object) {
        return object.getMetadata().getNamespace();
    }
}
