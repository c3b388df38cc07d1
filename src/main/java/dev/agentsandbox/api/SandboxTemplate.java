package dev.agentsandbox.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A reusable sandbox blueprint with network and injection policies; it has no status. */
@Group(SandboxTemplate.GROUP)
@Version(SandboxTemplate.VERSION)
@ShortNames("sandboxtemplate")
public class SandboxTemplate extends CustomResource<SandboxTemplateSpec, Void> implements Namespaced {

    public static final String GROUP = "extensions.agents.x-k8s.io";
    public static final String VERSION = "v1beta1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = "SandboxTemplate";
}
