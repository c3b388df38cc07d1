package dev.agentsandbox.manifests;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Map;

/** Label selector semantics as the API server applies them (matchLabels and matchExpressions, ANDed). */
public final class LabelSelectors {

    private LabelSelectors() {}

    /** True when the selector selects an object with these labels; a null selector selects nothing here. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null) {
            for (var entry : selector.getMatchLabels().entrySet()) {
                if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                boolean ok =
                        switch (r.getOperator()) {
                            case "In" -> value != null && r.getValues().contains(value);
                            case "NotIn" -> value == null || !r.getValues().contains(value);
                            case "Exists" -> value != null;
                            case "DoesNotExist" -> value == null;
                            default -> throw new IllegalArgumentException(
                                    "unknown selector operator " + r.getOperator());
                        };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
