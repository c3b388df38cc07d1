package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** Labels and annotations a claim adds to its sandbox's Pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdditionalPodMetadata {

    @JsonPropertyDescription(
            "Labels; keys need an allowed domain prefix (default sandbox.users.io); app=sandbox-router is forbidden.")
    private Map<String, String> labels;

    @JsonPropertyDescription("Annotations; keys in kubernetes.io, k8s.io and agents.x-k8s.io are refused.")
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
