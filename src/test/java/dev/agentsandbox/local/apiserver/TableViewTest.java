package dev.agentsandbox.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Printer columns read objects like the API server's table convertor. */
class TableViewTest {

    @Test
    void readsTheJsonPathsOfPrinterColumns() throws Exception {
        var sandbox = new ObjectMapper()
                .readTree(
                        """
                {"status":{"conditions":[{"type":"Suspended","status":"False"},{"type":"Ready","status":"True","reason":"DependenciesReady"}],
                 "sandbox":{"name":"s1"}},"spec":{"replicas":3}}""");
        assertThat(JsonPathLite.read(sandbox, ".status.conditions[?(@.type=='Ready')].status")
                        .asText())
                .isEqualTo("True");
        assertThat(JsonPathLite.read(sandbox, ".status.conditions[?(@.type==\"Ready\")].reason")
                        .asText())
                .isEqualTo("DependenciesReady");
        assertThat(JsonPathLite.read(sandbox, ".status.sandbox.name").asText()).isEqualTo("s1");
        assertThat(JsonPathLite.read(sandbox, ".spec.replicas").asInt()).isEqualTo(3);
        assertThat(JsonPathLite.read(sandbox, ".status.conditions[1].type").asText())
                .isEqualTo("Ready");
        assertThat(JsonPathLite.read(sandbox, ".status.missing").isMissingNode())
                .isTrue();
    }

    @Test
    void agesReadLikeKubectl() {
        assertThat(TableView.age(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(TableView.age(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(TableView.age(Duration.ofMinutes(25))).isEqualTo("25m");
        assertThat(TableView.age(Duration.ofMinutes(303))).isEqualTo("5h3m");
        assertThat(TableView.age(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(TableView.age(Duration.ofHours(76))).isEqualTo("3d4h");
        assertThat(TableView.age(Duration.ofDays(12))).isEqualTo("12d");
    }
}
