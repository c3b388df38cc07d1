package dev.agentsandbox.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A user's request for a sandbox from a warm pool. */
@Group(SandboxTemplate.GROUP)
@Version(SandboxTemplate.VERSION)
@ShortNames("sandboxclaim")
@AdditionalPrinterColumn(
        name = "Ready",
        type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type=='Ready')].status")
@AdditionalPrinterColumn(
        name = "Sandbox",
        type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.sandbox.name")
@AdditionalPrinterColumn(
        name = "Reason",
        type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type=='Ready')].reason")
@AdditionalPrinterColumn(
        name = "Age",
        type = AdditionalPrinterColumn.Type.DATE,
        jsonPath = ".metadata.creationTimestamp")
public class SandboxClaim extends CustomResource<SandboxClaimSpec, SandboxClaimStatus> implements Namespaced {

    public static final String KIND = "SandboxClaim";
}
