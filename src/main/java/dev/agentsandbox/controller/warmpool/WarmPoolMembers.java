package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.Ownership;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** What makes a Sandbox a member of a pool, and how a new member is built. */
public final class WarmPoolMembers {

    private WarmPoolMembers() {}

    /** The value of the {@code warm-pool-sandbox} label and of {@code status.selector}'s right side. */
    public static String poolHash(String poolName) {
        return NameHash.of(poolName);
    }

    public static String selector(String poolName) {
        return Labels.WARM_POOL_SANDBOX + "=" + poolHash(poolName);
    }

    /** A new member: {@code generateName: <pool>-}, the template's spec, the pool labels, owned by the pool. */
    public static Sandbox desired(SandboxWarmPool pool, TemplateBlueprint blueprint) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.WARM_POOL_SANDBOX, poolHash(pool.getMetadata().getName()));
        labels.put(Labels.SANDBOX_TEMPLATE_REF_HASH, blueprint.refHash());
        labels.put(Labels.SANDBOX_TEMPLATE_HASH, blueprint.hash());
        labels.put(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM);
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withGenerateName(pool.getMetadata().getName() + "-")
                .withNamespace(pool.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(Map.of(Labels.SANDBOX_TEMPLATE_REF, blueprint.templateName()))
                .withOwnerReferences(ownerReference(pool))
                .build());
        sandbox.setSpec(blueprint.spec());
        return sandbox;
    }

    static OwnerReference ownerReference(SandboxWarmPool pool) {
        return new OwnerReferenceBuilder()
                .withApiVersion(SandboxTemplate.API_VERSION)
                .withKind(SandboxWarmPool.KIND)
                .withName(pool.getMetadata().getName())
                .withUid(pool.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** A member of {@code pool}: controlled by it, carrying its label, and not being deleted. */
    public static boolean isMember(Sandbox sandbox, SandboxWarmPool pool) {
        return isMemberOf(
                sandbox, pool.getMetadata().getName(), pool.getMetadata().getUid());
    }

    public static boolean isMemberOf(Sandbox sandbox, String poolName, String poolUid) {
        Map<String, String> labels = sandbox.getMetadata().getLabels();
        return labels != null
                && poolHash(poolName).equals(labels.get(Labels.WARM_POOL_SANDBOX))
                && sandbox.getMetadata().getDeletionTimestamp() == null
                && Ownership.controllerOf(sandbox)
                        .filter(r -> SandboxWarmPool.KIND.equals(r.getKind())
                                && poolName.equals(r.getName())
                                && (poolUid == null || poolUid.equals(r.getUid())))
                        .isPresent();
    }

    public static boolean isReady(Sandbox sandbox) {
        return sandbox.getStatus() != null
                && Conditions.isTrue(sandbox.getStatus().getConditions(), Conditions.READY);
    }

    /** Built from the current template? Members without the hash label are stale too. */
    public static boolean isCurrent(Sandbox sandbox, TemplateBlueprint blueprint) {
        Map<String, String> labels = sandbox.getMetadata().getLabels();
        return labels != null && blueprint.hash().equals(labels.get(Labels.SANDBOX_TEMPLATE_HASH));
    }

    public static Instant createdAt(Sandbox sandbox) {
        String ts = sandbox.getMetadata().getCreationTimestamp();
        return ts == null ? Instant.EPOCH : Instant.parse(ts);
    }
}
