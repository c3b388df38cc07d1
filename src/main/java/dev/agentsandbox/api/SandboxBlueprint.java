package dev.agentsandbox.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** What a sandbox is made of: shared by Sandbox and SandboxTemplate (fields are inline in both). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SandboxBlueprint {

    @JsonPropertyDescription("The Pod the sandbox runs.")
    @Required
    private PodTemplate podTemplate;

    @JsonPropertyDescription(
            "One PersistentVolumeClaim per entry, owned by the sandbox; immutable once set on a Sandbox.")
    private List<VolumeClaimTemplate> volumeClaimTemplates;

    @JsonPropertyDescription(
            "true: create a headless Service named after the sandbox; false: delete the owned one; unset: keep an existing one but never create one.")
    private Boolean service;

    public PodTemplate getPodTemplate() {
        return podTemplate;
    }

    public void setPodTemplate(PodTemplate podTemplate) {
        this.podTemplate = podTemplate;
    }

    public List<VolumeClaimTemplate> getVolumeClaimTemplates() {
        return volumeClaimTemplates;
    }

    public void setVolumeClaimTemplates(List<VolumeClaimTemplate> volumeClaimTemplates) {
        this.volumeClaimTemplates = volumeClaimTemplates;
    }

    public Boolean getService() {
        return service;
    }

    public void setService(Boolean service) {
        this.service = service;
    }
}
