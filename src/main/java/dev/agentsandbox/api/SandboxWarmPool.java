package dev.agentsandbox.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Keeps a number of ready sandboxes built from a template, for claims to adopt at once. */
@Group(SandboxTemplate.GROUP)
@Version(SandboxTemplate.VERSION)
@ShortNames("swp")
@AdditionalPrinterColumn(
        name = "Ready",
        type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.readyReplicas")
@AdditionalPrinterColumn(name = "Desired", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".spec.replicas")
@AdditionalPrinterColumn(
        name = "Age",
        type = AdditionalPrinterColumn.Type.DATE,
        jsonPath = ".metadata.creationTimestamp")
public class SandboxWarmPool extends CustomResource<SandboxWarmPoolSpec, SandboxWarmPoolStatus> implements Namespaced {

    public static final String KIND = "SandboxWarmPool";
}
