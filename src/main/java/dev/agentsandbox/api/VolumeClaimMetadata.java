package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Map;

/** Name, labels and annotations of a volume claim template. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VolumeClaimMetadata {

    @JsonPropertyDescription(
            "Name of the template: the PVC is named <name>-<sandbox> and mounted as a volume of this name.")
    @Required
    private String name;

    @JsonPropertyDescription("Labels for the PersistentVolumeClaim.")
    private Map<String, String> labels;

    @JsonPropertyDescription("Annotations for the PersistentVolumeClaim.")
    private Map<String, String> annotations;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

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
