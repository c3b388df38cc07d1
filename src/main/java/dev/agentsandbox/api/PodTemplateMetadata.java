package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** Labels and annotations for the Pod of a sandbox. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodTemplateMetadata {

    @JsonPropertyDescription(
            "Labels for the Pod. Keys under agents.x-k8s.io/ and extensions.agents.x-k8s.io/ are reserved and ignored.")
    private Map<String, String> labels;

    @JsonPropertyDescription("Annotations for the Pod. Reserved prefixes are ignored as for labels.")
    private Map<String, String> annotations;

    public Map<String, String> getLabels() {
        return labels;
    }

    public void setLabels(Map<String, String> labels) {
        this.labels = labels;
    }

    public Map<String, String> getAnnotations() {
        return annotations;
    }

    public void setAnnotations(Map<String, String> annotations) {
        this.annotations = annotations;
    }
}
