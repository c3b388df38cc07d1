package dev.agentsandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelEnvironmentTest {

    @Test
    void namesEveryMissingVariable() {
        List<String> missing = ModelEnvironment.missing(name -> Optional.ofNullable(
                Map.of("OPENAI_BASE_URL", "https://example.openai.azure.com/openai/v1/", "LLM_MODEL", " ")
                        .get(name)));
        assertThat(missing).containsExactly("OPENAI_API_KEY", "LLM_MODEL");
        assertThat(ModelEnvironment.refusal(missing))
                .startsWith("agent cannot start: missing environment variables OPENAI_API_KEY, LLM_MODEL.")
                .contains("azure-foundry");
    }

    @Test
    void nothingMissingWhenAllAreSet() {
        assertThat(ModelEnvironment.missing(name -> Optional.of("set"))).isEmpty();
        assertThat(ModelEnvironment.missing(name -> Optional.empty()))
                .containsExactly("OPENAI_BASE_URL", "OPENAI_API_KEY", "LLM_MODEL");
        assertThat(ModelEnvironment.refusal(List.of("LLM_MODEL"))).contains("variable LLM_MODEL.");
    }
}
