package dev.agentsandbox.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.nativeimage.ModelReflection;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * What can be checked of the native build without GraalVM or a container engine: the profile deploy.sh uses, and
 * reflection registration for every class of the CRD model.
 */
class NativeReadinessTest {

    /** Static helpers of the api package: never serialised. */
    static final Set<String> NOT_SERIALISED = Set.of("Labels", "NameHash", "Conditions", "IdleAnnotations");

    @Test
    void everyModelClassIsRegisteredForReflection() throws IOException, URISyntaxException {
        Path api = Path.of(Sandbox.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .resolve("dev/agentsandbox/api");
        List<String> modelClasses;
        try (Stream<Path> files = Files.list(api)) {
            modelClasses = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> n.substring(0, n.length() - ".class".length()))
                    .filter(n -> !NOT_SERIALISED.contains(n))
                    .sorted()
                    .toList();
        }
        assertThat(modelClasses)
                .contains("Sandbox", "SandboxTemplate", "SandboxClaim", "SandboxWarmPool", "SandboxSpec");

        RegisterForReflection registration = ModelReflection.class.getAnnotation(RegisterForReflection.class);
        List<String> registered = Arrays.stream(registration.targets())
                .map(Class::getSimpleName)
                .sorted()
                .toList();
        assertThat(registered).containsExactlyElementsOf(modelClasses);
        assertThat(registration.registerFullHierarchy()).isTrue();
    }

    @Test
    void theNativeProfileBuildsInAContainer() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile());
        var xpath = XPathFactory.newInstance().newXPath();
        String base = "/project/profiles/profile[id='native']/properties/";
        assertThat((String)
                        xpath.evaluate(base + "*[local-name()='quarkus.native.enabled']", pom, XPathConstants.STRING))
                .isEqualTo("true");
        assertThat((String) xpath.evaluate(
                        base + "*[local-name()='quarkus.native.container-build']", pom, XPathConstants.STRING))
                .isEqualTo("true");
        assertThat(Path.of("src/main/docker/Dockerfile.native")).exists();
        assertThat(Files.readString(Path.of("src/main/docker/Dockerfile.native")))
                .contains("USER 1000:1000")
                .contains("ENTRYPOINT [\"./application\"]");
        assertThat(Files.readString(Path.of("src/main/docker/Dockerfile.jvm"))).contains("USER 1000:1000");
    }
}
