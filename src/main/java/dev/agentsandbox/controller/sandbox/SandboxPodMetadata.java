package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The labels and annotations a Sandbox puts on its Pod, and how a live Pod is brought back to them in place.
 * <p>
 * Sources: the pod template's labels and annotations minus reserved prefixes; the {@code sandbox-name-hash} label;
 * and, copied from the Sandbox's own metadata labels, the keys in {@link #SANDBOX_LABELS_COPIED} (pool, template,
 * claim and owner labels, set by the warm-pool and claim controllers). Every key this controller put on the Pod is
 * recorded in {@link #PROPAGATED_LABELS} / {@link #PROPAGATED_ANNOTATIONS}, so a key removed from the source is
 * removed from the Pod exactly, and keys written by others (the kubelet, admission webhooks) are never touched.
 */
public final class SandboxPodMetadata {

    /** Pod annotation: comma-separated label keys this controller propagated (sorted). */
    public static final String PROPAGATED_LABELS = Labels.PREFIX + "propagated-labels";
    /** Pod annotation: comma-separated annotation keys this controller propagated (sorted). */
    public static final String PROPAGATED_ANNOTATIONS = Labels.PREFIX + "propagated-annotations";

    /**
     * Labels of the Sandbox itself that reach its Pod. They are reserved keys, so a user's pod template can never
     * set them; only whoever writes the Sandbox (pool, claim, or a namespace user) can.
     */
    public static final List<String> SANDBOX_LABELS_COPIED = List.of(
            Labels.WARM_POOL_SANDBOX,
            Labels.SANDBOX_TEMPLATE_REF_HASH,
            Labels.SANDBOX_TEMPLATE_HASH,
            Labels.LAUNCH_TYPE,
            Labels.CLAIM_UID,
            Labels.CREATED_BY,
            Labels.OWNER);

    private final Map<String, String> labels;
    private final Map<String, String> annotations;

    private SandboxPodMetadata(Map<String, String> labels, Map<String, String> annotations) {
        this.labels = labels;
        this.annotations = annotations;
    }

    /** What {@code sandbox} wants on its Pod, not counting the bookkeeping annotations. */
    public static SandboxPodMetadata of(Sandbox sandbox) {
        PodTemplateMetadata meta = sandbox.getSpec().getPodTemplate() == null
                ? null
                : sandbox.getSpec().getPodTemplate().getMetadata();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (meta != null) {
            copyUnreserved(meta.getLabels(), labels);
            copyUnreserved(meta.getAnnotations(), annotations);
        }
        Map<String, String> own = sandbox.getMetadata().getLabels();
        if (own != null) {
            for (String key : SANDBOX_LABELS_COPIED) {
                String value = own.get(key);
                if (value != null) {
                    labels.put(key, value);
                }
            }
        }
        labels.put(Labels.SANDBOX_NAME_HASH, SandboxPods.nameHash(sandbox));
        return new SandboxPodMetadata(labels, annotations);
    }

    private static void copyUnreserved(Map<String, String> from, Map<String, String> to) {
        if (from != null) {
            from.forEach((k, v) -> {
                if (!Labels.isReserved(k)) {
                    to.put(k, v);
                }
            });
        }
    }

    /** Labels for a new Pod. */
    public Map<String, String> labels() {
        return new LinkedHashMap<>(labels);
    }

    /** Annotations for a new Pod, including the record of what was propagated. */
    public Map<String, String> annotations() {
        Map<String, String> result = new LinkedHashMap<>(annotations);
        record(result);
        return result;
    }

    private void record(Map<String, String> target) {
        Set<String> labelKeys = new TreeSet<>(labels.keySet());
        labelKeys.remove(Labels.SANDBOX_NAME_HASH); // always present, never removed
        target.put(PROPAGATED_LABELS, String.join(",", labelKeys));
        target.put(PROPAGATED_ANNOTATIONS, String.join(",", new TreeSet<>(annotations.keySet())));
    }

    /**
     * Brings a live Pod's metadata to this state: sets every wanted key, removes keys recorded as propagated earlier
     * that are no longer wanted, and updates the record. Returns whether anything changed.
     */
    public boolean applyTo(ObjectMeta live) {
        Map<String, String> liveLabels =
                live.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(live.getLabels());
        Map<String, String> liveAnnotations =
                live.getAnnotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(live.getAnnotations());
        Map<String, String> beforeLabels = new LinkedHashMap<>(liveLabels);
        Map<String, String> beforeAnnotations = new LinkedHashMap<>(liveAnnotations);

        recorded(liveAnnotations.get(PROPAGATED_LABELS)).stream()
                .filter(k -> !labels.containsKey(k) && !Labels.SANDBOX_NAME_HASH.equals(k))
                .forEach(liveLabels::remove);
        // The copied Sandbox labels are reserved keys only controllers write: they follow the Sandbox even on a Pod
        // that was adopted without a record (for example a pool member's Pod losing the pool label).
        SANDBOX_LABELS_COPIED.stream().filter(k -> !labels.containsKey(k)).forEach(liveLabels::remove);
        recorded(liveAnnotations.get(PROPAGATED_ANNOTATIONS)).stream()
                .filter(k -> !annotations.containsKey(k)
                        && !k.equals(PROPAGATED_LABELS)
                        && !k.equals(PROPAGATED_ANNOTATIONS))
                .forEach(liveAnnotations::remove);
        liveLabels.putAll(labels);
        liveAnnotations.putAll(annotations);
        record(liveAnnotations);

        boolean changed =
                !Objects.equals(beforeLabels, liveLabels) || !Objects.equals(beforeAnnotations, liveAnnotations);
        if (changed) {
            live.setLabels(liveLabels);
            live.setAnnotations(liveAnnotations);
        }
        return changed;
    }

    private static List<String> recorded(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
