package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Comparator;
import java.util.List;

/**
 * What the caches show a Sandbox controls, found by ownership (controller reference UID), never by name alone.
 *
 * @param pods every owned Pod, by name (more than one fails closed)
 * @param service the owned Service of the wanted name, or null
 * @param claims every owned PersistentVolumeClaim, by name
 */
record ObservedObjects(List<Pod> pods, Service service, List<PersistentVolumeClaim> claims) {

    static ObservedObjects of(Context<Sandbox> context, Sandbox sandbox) {
        Service service = owned(context, Service.class, sandbox).stream()
                .filter(s -> SandboxService.name(sandbox).equals(s.getMetadata().getName()))
                .findFirst()
                .orElse(null);
        return new ObservedObjects(
                owned(context, Pod.class, sandbox), service, owned(context, PersistentVolumeClaim.class, sandbox));
    }

    /** The one owned Pod, or null (also when there are several). */
    Pod pod() {
        return pods.size() == 1 ? pods.get(0) : null;
    }

    List<String> podNames() {
        return pods.stream().map(p -> p.getMetadata().getName()).toList();
    }

    private static <T extends HasMetadata> List<T> owned(Context<Sandbox> context, Class<T> type, Sandbox sandbox) {
        return context.getSecondaryResources(type).stream()
                .filter(o -> Ownership.of(o, sandbox) == Ownership.OWNED)
                .sorted(Comparator.comparing(o -> o.getMetadata().getName()))
                .toList();
    }
}
