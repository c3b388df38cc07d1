package dev.agentsandbox.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.testing.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The values table of docs/operations.md is the one the generated chart's values.schema.json and values.yaml give:
 * one row per value, its default and its description. When a value is added or changed, this test fails with the
 * table to paste between the markers.
 */
class HelmValuesDocIT {

    static final Path DOC = Path.of("docs", "operations.md");
    static final String START =
            "<!-- helm-values:start (generated from the chart's values.schema.json; HelmValuesDocIT) -->";
    static final String END = "<!-- helm-values:end -->";
    /** Longer defaults (generated probes, environment, affinity) are left to `helm show values`. */
    static final int LONGEST_DEFAULT = 60;

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theValuesTableOfTheOperationsGuideIsTheChartsSchema() throws IOException {
        JsonNode schema = JSON.readTree(Helm.CHART.resolve("values.schema.json").toFile());
        JsonNode values =
                StrictModel.YAML.readTree(Helm.CHART.resolve("values.yaml").toFile());
        List<String> rows = new ArrayList<>(List.of("| value | default | meaning |", "|---|---|---|"));
        rows(schema, "", values, rows);
        String expected = String.join("\n", rows);

        String doc = Files.readString(DOC);
        assertThat(doc).contains(START, END);
        String actual = doc.substring(doc.indexOf(START) + START.length(), doc.indexOf(END))
                .strip();
        assertThat(actual)
                .as("the table between the markers in %s; replace it with:%n%s%n", DOC, expected)
                .isEqualTo(expected);
    }

    /**
     * A row per value, in the order of their names; objects without a description of their own are opened (image,
     * router.auth, ...).
     */
    private static void rows(JsonNode node, String path, JsonNode values, List<String> rows) {
        Map<String, JsonNode> properties = new TreeMap<>();
        node.path("properties").fields().forEachRemaining(p -> properties.put(p.getKey(), p.getValue()));
        for (Map.Entry<String, JsonNode> property : properties.entrySet()) {
            String name = path.isEmpty() ? property.getKey() : path + "." + property.getKey();
            JsonNode schema = property.getValue();
            if (name.equals("global")) {
                continue;
            }
            if (!schema.has("description") && schema.has("properties")) {
                rows(schema, name, values.path(property.getKey()), rows);
            } else {
                rows.add("| `" + name + "` | " + defaultOf(values.path(property.getKey())) + " | "
                        + schema.path("description").asText() + " |");
            }
        }
    }

    private static String defaultOf(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return "unset";
        }
        String text = value.isTextual() ? value.asText() : value.toString();
        if (text.isEmpty()) {
            return "`\"\"`";
        }
        return text.length() > LONGEST_DEFAULT ? "as generated" : "`" + text + "`";
    }
}
