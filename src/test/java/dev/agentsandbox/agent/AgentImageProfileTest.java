package dev.agentsandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The {@code agent} Maven profile, which builds the agent image ({@code ./mvnw package -Pagent}); the image itself
 * cannot be built on this machine (no container engine), so its configuration is checked here.
 */
class AgentImageProfileTest {

    /** The packages (with their sub-packages) the agent build does not compile. */
    private static final List<String> LEFT_OUT =
            List.of("api", "controller", "router", "local", "client", "owner.token", "nativeimage");

    private static final Path SOURCES = Path.of("src/main/java/dev/agentsandbox");

    private static Element profile;

    @BeforeAll
    static void readProfile() throws Exception {
        Element project = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile())
                .getDocumentElement();
        for (Element p : children(child(project, "profiles"), "profile")) {
            if ("agent".equals(text(p, "id"))) {
                profile = p;
            }
        }
        assertThat(profile).as("profile 'agent' in pom.xml").isNotNull();
    }

    @Test
    void imageRunsTheAgentAsUser1000OnPort8080() {
        Map<String, String> properties = new HashMap<>();
        for (Element property : children(child(profile, "properties"), null)) {
            properties.put(property.getTagName(), property.getTextContent().trim());
        }
        assertThat(properties)
                .containsEntry("quarkus.jib.user", "1000")
                .containsEntry("quarkus.jib.ports", "8080")
                .containsEntry("quarkus.jib.environment-variables.SANDBOX_ROLE", "agent")
                .containsEntry("quarkus.container-image.name", "agent-sandbox-agent");
        assertThat(dependencies()).containsEntry("io.quarkus:quarkus-container-image-jib", "compile");
    }

    @Test
    void otherRolesSourcesAndDependenciesAreLeftOut() {
        List<String> excludes = new ArrayList<>();
        for (Element plugin : children(child(child(profile, "build"), "plugins"), "plugin")) {
            if ("maven-compiler-plugin".equals(text(plugin, "artifactId"))) {
                children(child(child(plugin, "configuration"), "excludes"), "exclude")
                        .forEach(e -> excludes.add(e.getTextContent().trim()));
            }
        }
        assertThat(excludes)
                .containsExactlyInAnyOrderElementsOf(LEFT_OUT.stream()
                        .map(p -> "dev/agentsandbox/" + p.replace('.', '/') + "/**")
                        .toList());
        assertThat(dependencies())
                .containsEntry("io.quarkiverse.operatorsdk:quarkus-operator-sdk", "test")
                .containsEntry("io.quarkus:quarkus-kubernetes-client", "test")
                .containsEntry("io.quarkus:quarkus-kubernetes", "test")
                .containsEntry("io.fabric8:kubernetes-server-mock", "test")
                .containsEntry("io.vertx:vertx-http-proxy", "test")
                .containsEntry("info.picocli:picocli", "test");
    }

    /** What the agent image compiles (app/, agent/, owner/, ...) may use no package the profile leaves out. */
    @Test
    void whatTheAgentCompilesUsesNoLeftOutPackage() throws IOException {
        Pattern leftOut = Pattern.compile("dev\\.agentsandbox\\.("
                + LEFT_OUT.stream().map(p -> p.replace(".", "\\.")).collect(Collectors.joining("|"))
                + ")\\.");
        List<Path> leftOutDirectories =
                LEFT_OUT.stream().map(p -> SOURCES.resolve(p.replace('.', '/'))).toList();
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> leftOutDirectories.stream().noneMatch(f::startsWith))
                    .toList()) {
                Matcher m = leftOut.matcher(Files.readString(file));
                if (m.find()) {
                    offenders.add(file + " uses " + m.group());
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    private static Map<String, String> dependencies() {
        Map<String, String> scopes = new HashMap<>();
        for (Element d : children(child(profile, "dependencies"), "dependency")) {
            String scope = text(d, "scope");
            scopes.put(text(d, "groupId") + ":" + text(d, "artifactId"), scope == null ? "compile" : scope);
        }
        return scopes;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        assertThat(found).as(name + " in " + parent.getTagName()).isNotEmpty();
        return found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }
}
