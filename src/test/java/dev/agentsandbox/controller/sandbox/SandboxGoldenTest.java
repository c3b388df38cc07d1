package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files, one folder per scenario under {@code golden/sandbox}: {@code in-Sandbox.yaml} (and, optionally, the
 * Pod and Service a reconcile observed, {@code in-Pod.yaml} and {@code in-Service.yaml}) yields the desired Pod,
 * Service (when {@code service: true}) and PVCs, compared as YAML trees with {@code out-<Kind>-<name>.yaml}, and the
 * status computed at a fixed time, {@code out-status.yaml}. An expected file that the scenario does not produce fails
 * it. Run with {@code -Dgolden.update=true} to rewrite the expected files, then review the diff.
 */
class SandboxGoldenTest {

    private static final Path DIR = Path.of("src/test/resources/golden/sandbox");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final String STATUS_FILE = "out-status.yaml";

    @TestFactory
    Stream<DynamicTest> eachScenarioProducesItsGoldenFiles() throws IOException {
        List<Path> scenarios;
        try (Stream<Path> dirs = Files.list(DIR)) {
            scenarios = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(scenarios).isNotEmpty();
        return scenarios.stream()
                .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private static void check(Path scenario) throws IOException {
        Map<String, Object> produced = produce(scenario);
        boolean update = Boolean.getBoolean("golden.update");
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Object> entry : produced.entrySet()) {
            Path expectedFile = scenario.resolve(entry.getKey());
            String actualYaml = Serialization.asYaml(entry.getValue());
            if (update) {
                Files.writeString(expectedFile, actualYaml);
            } else if (!Files.exists(expectedFile)) {
                failures.add(entry.getKey() + " is produced but has no expected file; actual:\n" + actualYaml);
            } else if (!tree(Files.readString(expectedFile)).equals(tree(actualYaml))) {
                failures.add(entry.getKey() + " differs; actual:\n" + actualYaml);
            }
        }
        Set<String> leftovers = new TreeSet<>();
        try (Stream<Path> files = Files.list(scenario)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("out-") && !produced.containsKey(n))
                    .forEach(leftovers::add);
        }
        assertThat(leftovers).as("expected files the scenario does not produce").isEmpty();
        assertThat(failures).isEmpty();
    }

    /** The desired objects by their expected file's name, then the status. */
    private static Map<String, Object> produce(Path scenario) {
        Sandbox sandbox = read(scenario.resolve("in-Sandbox.yaml"), Sandbox.class);
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(SandboxPods.desired(sandbox));
        if (Boolean.TRUE.equals(sandbox.getSpec().getService())) {
            objects.add(SandboxService.desired(sandbox));
        }
        objects.addAll(SandboxVolumes.desired(sandbox));
        Map<String, Object> produced = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            String file = "out-" + object.getKind() + "-" + object.getMetadata().getName() + ".yaml";
            assertThat(produced.put(file, object))
                    .as("two objects would share %s", file)
                    .isNull();
        }
        SandboxState state = SandboxState.reconciled(
                sandbox,
                readIfPresent(scenario.resolve("in-Pod.yaml"), Pod.class),
                null,
                readIfPresent(scenario.resolve("in-Service.yaml"), Service.class));
        produced.put(STATUS_FILE, SandboxStatusAggregator.aggregate(sandbox, state, CLOCK.instant(), "cluster.local"));
        return produced;
    }

    private static <T> T readIfPresent(Path file, Class<T> type) {
        return Files.exists(file) ? read(file, type) : null;
    }

    private static <T> T read(Path file, Class<T> type) {
        try {
            return Serialization.unmarshal(Files.readString(file), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A YAML document as a tree of maps, lists and scalars, so formatting and key order do not matter. */
    private static Object tree(String yaml) {
        return Serialization.unmarshal(yaml, Map.class);
    }
}
