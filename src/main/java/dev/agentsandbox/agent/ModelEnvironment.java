package dev.agentsandbox.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The three variables that connect the agent to its model, as the example's Secret {@code azure-foundry} provides
 * them. They are mapped onto {@code quarkus.langchain4j.openai.*} in {@code application.properties}; the agent role
 * refuses to start without all three.
 */
public final class ModelEnvironment {

    public static final String BASE_URL = "OPENAI_BASE_URL";
    public static final String API_KEY = "OPENAI_API_KEY";
    public static final String MODEL = "LLM_MODEL";

    /** In the order they are reported. */
    public static final List<String> REQUIRED = List.of(BASE_URL, API_KEY, MODEL);

    private ModelEnvironment() {}

    /** The required variables that {@code lookup} does not know or knows only as blank. */
    public static List<String> missing(Function<String, Optional<String>> lookup) {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED) {
            if (lookup.apply(name).filter(v -> !v.isBlank()).isEmpty()) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** Why the agent cannot start, naming every missing variable. */
    public static String refusal(List<String> missing) {
        return "agent cannot start: missing environment variable" + (missing.size() == 1 ? " " : "s ")
                + String.join(", ", missing) + ". Set " + String.join(", ", REQUIRED)
                + " (on Kubernetes from the Secret azure-foundry) to an OpenAI-compatible endpoint, its API key and"
                + " the model or deployment name.";
    }
}
