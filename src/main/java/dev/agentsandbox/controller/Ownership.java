package dev.agentsandbox.controller;

import dev.agentsandbox.api.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who controls an object relative to one owner (a Sandbox or a SandboxTemplate): the owner itself, nobody, or
 * another controller. The controller owner reference's UID is authoritative, never a name or a label.
 */
public enum Ownership {
    /** The controller reference points to this owner (same UID). */
    OWNED,
    /** No controller reference at all. */
    UNOWNED,
    /** Another controller owns it: never touched. */
    OTHER;

    public static Ownership of(HasMetadata object, HasMetadata owner) {
        Optional<OwnerReference> controller = controllerOf(object);
        if (controller.isEmpty()) {
            return UNOWNED;
        }
        return Objects.equals(controller.get().getUid(), owner.getMetadata().getUid()) ? OWNED : OTHER;
    }

    public static Optional<OwnerReference> controllerOf(HasMetadata object) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        if (refs == null) {
            return Optional.empty();
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
    }

    /** "Kind/name (uid)" of the object's controller, for messages. */
    public static String describeController(HasMetadata object) {
        return controllerOf(object)
                .map(r -> r.getKind() + "/" + r.getName() + " (uid " + r.getUid() + ")")
                .orElse("nobody");
    }

    /**
     * An unowned object may be adopted only when it says so: {@code agents.x-k8s.io/adoptable=true} (which its
     * author sets to hand it over) or the owner's own name-hash label (which the Sandbox controller puts on what it
     * creates, so an object orphaned by a lost owner reference is taken back).
     */
    public static boolean adoptable(HasMetadata object, String nameHash) {
        Map<String, String> labels = object.getMetadata().getLabels();
        if (labels == null) {
            return false;
        }
        return "true".equals(labels.get(Labels.ADOPTABLE)) || nameHash.equals(labels.get(Labels.SANDBOX_NAME_HASH));
    }

    /** The controller owner reference for {@code owner}, as the garbage collector expects it. */
    public static OwnerReference controllerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Sets {@code owner} as the controller of {@code object}, keeping its other (non-controller) references. */
    public static void adopt(HasMetadata object, HasMetadata owner) {
        List<OwnerReference> refs = new ArrayList<>();
        if (object.getMetadata().getOwnerReferences() != null) {
            object.getMetadata().getOwnerReferences().stream()
                    .filter(r -> !Objects.equals(r.getUid(), owner.getMetadata().getUid()))
                    .forEach(refs::add);
        }
        refs.add(controllerReference(owner));
        object.getMetadata().setOwnerReferences(refs);
    }
}
