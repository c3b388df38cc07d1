package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.Ownership;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What wakes a pool and what it reads: its members (also a member a claim just adopted, so the pool refills) and its
 * template. A member's appearance and disappearance lower the pool's {@link Expectations}.
 */
final class WarmPoolEventSources {

    static final String TEMPLATE_INDEX = "warm-pool-template";

    private final Expectations expectations;
    /** Member uid -> its pool, so that a member leaving the pool (adopted by a claim) still wakes the pool. */
    private final Map<String, ResourceID> memberPools = new ConcurrentHashMap<>();

    private InformerEventSource<Sandbox, SandboxWarmPool> members;
    private InformerEventSource<SandboxTemplate, SandboxWarmPool> templates;

    WarmPoolEventSources(Expectations expectations) {
        this.expectations = expectations;
    }

    List<EventSource<?, SandboxWarmPool>> prepare(EventSourceContext<SandboxWarmPool> context) {
        IndexerResourceCache<SandboxWarmPool> pools = context.getPrimaryCache();
        pools.addIndexer(
                TEMPLATE_INDEX,
                pool -> pool.getSpec() == null || pool.getSpec().getSandboxTemplateRef() == null
                        ? List.of()
                        : List.of(ObjectKey.of(
                                pool.getMetadata().getNamespace(),
                                pool.getSpec().getSandboxTemplateRef().getName())));
        members = memberEvents(context);
        var templateConfig = InformerEventSourceConfiguration.from(SandboxTemplate.class, SandboxWarmPool.class)
                .withName("warm-pool-templates")
                .withSecondaryToPrimaryMapper(template -> pools
                        .byIndex(
                                TEMPLATE_INDEX,
                                ObjectKey.of(
                                        template.getMetadata().getNamespace(),
                                        template.getMetadata().getName()))
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        templates = new InformerEventSource<>(templateConfig, context);
        return List.of(members, templates);
    }

    private InformerEventSource<Sandbox, SandboxWarmPool> memberEvents(EventSourceContext<SandboxWarmPool> context) {
        var memberConfig = InformerEventSourceConfiguration.from(Sandbox.class, SandboxWarmPool.class)
                .withName("warm-pool-members")
                .withLabelSelector(Labels.WARM_POOL_SANDBOX)
                .withSecondaryToPrimaryMapper(this::poolOf)
                .build();
        return new InformerEventSource<>(memberConfig, context) {
            // An expectation is lowered only after the event source has indexed the change: lowered first, a pass
            // running in between found the expectations met but not yet the new member, and made one more.
            @Override
            public void onAdd(Sandbox sandbox) {
                super.onAdd(sandbox);
                poolKey(sandbox).ifPresent(expectations::creationObserved);
            }

            @Override
            public synchronized void onDelete(Sandbox sandbox, boolean unknownState) {
                String uid = sandbox.getMetadata().getUid();
                ResourceID pool = memberPools.get(uid);
                super.onDelete(sandbox, unknownState);
                if (pool != null) {
                    expectations.deletionObserved(
                            ObjectKey.of(pool.getNamespace().orElse(null), pool.getName()),
                            sandbox.getMetadata().getName());
                }
                memberPools.remove(uid);
            }
        };
    }

    /** The pool's members in the cache. */
    List<Sandbox> membersOf(SandboxWarmPool pool) {
        return members.list(pool.getMetadata().getNamespace(), s -> WarmPoolMembers.isMember(s, pool))
                .toList();
    }

    /** The pool's template in the cache, if it exists. */
    Optional<SandboxTemplate> templateOf(SandboxWarmPool pool) {
        return templates.get(new ResourceID(
                pool.getSpec().getSandboxTemplateRef().getName(),
                pool.getMetadata().getNamespace()));
    }

    /** Forgets the member index, as a process restart does (the informers' first list rebuilds it). */
    void clear() {
        memberPools.clear();
    }

    /** The pool a member belongs to, or belonged to until a claim adopted it (the pool must refill). */
    private Set<ResourceID> poolOf(Sandbox sandbox) {
        String uid = sandbox.getMetadata().getUid();
        Optional<ResourceID> owner = Ownership.controllerOf(sandbox)
                .filter(r -> SandboxWarmPool.KIND.equals(r.getKind()))
                .map(r -> new ResourceID(r.getName(), sandbox.getMetadata().getNamespace()));
        if (owner.isPresent()) {
            memberPools.put(uid, owner.get());
            return Set.of(owner.get());
        }
        ResourceID former = memberPools.remove(uid);
        return former == null ? Set.of() : Set.of(former);
    }

    private static Optional<String> poolKey(Sandbox sandbox) {
        return Ownership.controllerOf(sandbox)
                .filter(r -> SandboxWarmPool.KIND.equals(r.getKind()))
                .map(r -> ObjectKey.of(sandbox.getMetadata().getNamespace(), r.getName()));
    }
}
