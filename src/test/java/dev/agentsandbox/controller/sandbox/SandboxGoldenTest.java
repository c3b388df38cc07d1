package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Golden files of the desired objects: each {@code in-*.yaml} Sandbox under {@code golden/sandbox} yields its Pod,
 * Service (when {@code service: true}) and PVCs, compared as YAML trees with {@code out-<Kind>-<name>.yaml}. An
 * expected file that no input produces fails the test. Run with {@code -Dgolden.update=true} to rewrite the expected
 * files, then review the diff.
 */
class SandboxGoldenTest {

    private static final Path DIR = Path.of("src/test/resources/golden/sandbox");

    @Test
    void desiredObjectsMatchTheGoldenFiles() throws IOException {
        boolean update = Boolean.getBoolean("golden.update");
        Map<String, HasMetadata> produced = new LinkedHashMap<>();
        List<Path> inputs;
        try (Stream<Path> files = Files.list(DIR)) {
            inputs = files.filter(p -> p.getFileName().toString().startsWith("in-"))
                    .sorted()
                    .toList();
        }
        assertThat(inputs).isNotEmpty();
        for (Path input : inputs) {
            Sandbox sandbox;
            try (InputStream in = Files.newInputStream(input)) {
                sandbox = Serialization.unmarshal(in, Sandbox.class);
            }
            List<HasMetadata> objects = new ArrayList<>();
            objects.add(SandboxPods.desired(sandbox));
            if (Boolean.TRUE.equals(sandbox.getSpec().getService())) {
                objects.add(SandboxService.desired(sandbox));
            }
            objects.addAll(SandboxVolumes.desired(sandbox));
            for (HasMetadata object : objects) {
                String file =
                        "out-" + object.getKind() + "-" + object.getMetadata().getName() + ".yaml";
                assertThat(produced.put(file, object))
                        .as("two objects would share %s", file)
                        .isNull();
            }
        }

        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, HasMetadata> entry : produced.entrySet()) {
            Path expectedFile = DIR.resolve(entry.getKey());
            String actualYaml = Serialization.asYaml(entry.getValue());
            if (update) {
                Files.writeString(expectedFile, actualYaml);
                continue;
            }
            if (!Files.exists(expectedFile)) {
                failures.add(entry.getKey() + " is produced but has no expected file; actual:\n" + actualYaml);
                continue;
            }
            Object expected = tree(Files.readString(expectedFile));
            Object actual = tree(actualYaml);
            if (!expected.equals(actual)) {
                failures.add(entry.getKey() + " differs; actual:\n" + actualYaml);
            }
        }
        Set<String> leftovers = new TreeSet<>();
        try (Stream<Path> files = Files.list(DIR)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("out-"))
                    .filter(n -> !produced.containsKey(n))
                    .forEach(leftovers::add);
        }
        assertThat(leftovers).as("expected files no input produces").isEmpty();
        assertThat(failures).isEmpty();
    }

    /** A YAML document as a tree of maps, lists and scalars, so formatting and key order do not matter. */
    private static Object tree(String yaml) {
        return Serialization.unmarshal(yaml, Map.class);
    }
}
