package dev.agentsandbox.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.sandbox.SandboxPods;
import dev.agentsandbox.manifests.ContainerSecurity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Pods users actually get: every example SandboxTemplate under {@code deploy/} turned into the Pod the Sandbox
 * controller creates from it (not only the template as written, which {@code manifests.DeployManifestsTest}
 * checks), so a controller that dropped the template's security context would be caught. Generated Deployments
 * are checked by {@code manifests.GeneratedManifestsIT}.
 */
class ExamplePodSecurityTest {

    @Test
    void everyExampleTemplateYieldsANonRootPodWithoutPrivilegeEscalation() throws IOException {
        List<Path> templates;
        try (Stream<Path> files = Files.walk(Path.of("deploy"))) {
            templates = files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> read(f).contains("kind: SandboxTemplate"))
                    .sorted()
                    .toList();
        }
        assertThat(templates).as("example templates").hasSizeGreaterThanOrEqualTo(2);
        for (Path file : templates) {
            SandboxTemplate template = Serialization.unmarshal(read(file), SandboxTemplate.class);
            Sandbox sandbox = new Sandbox();
            sandbox.setMetadata(new ObjectMetaBuilder()
                    .withName("from-" + template.getMetadata().getName())
                    .withNamespace("demo")
                    .withUid("00000000-0000-0000-0000-00000000000a")
                    .build());
            SandboxSpec spec = new SandboxSpec();
            spec.setPodTemplate(template.getSpec().getPodTemplate());
            sandbox.setSpec(spec);
            Pod pod = SandboxPods.desired(sandbox);
            ContainerSecurity.assertHardened("Pod from " + file, pod.getSpec());
            System.out.printf(
                    "RELIABILITY pod-security template=%s pod=%s hardened=true%n",
                    file, pod.getMetadata().getName());
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
