package dev.agentsandbox.agent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts {@link FakeOpenAi} before the agent boots and points the agent at it through the same variables a pod gets
 * from its Secret, with short model timeouts and a fresh history directory.
 */
public class FakeOpenAiResource implements QuarkusTestResourceLifecycleManager {

    static final String MODEL = "fake-gpt";
    static final String API_KEY = "test-key";

    static FakeOpenAi model;
    static Path historyDir;

    @Override
    public Map<String, String> start() {
        try {
            model = new FakeOpenAi();
            historyDir = Files.createTempDirectory("agent-history-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                ModelEnvironment.BASE_URL,
                model.baseUrl(),
                ModelEnvironment.API_KEY,
                API_KEY,
                ModelEnvironment.MODEL,
                MODEL,
                "sandbox.agent.history-dir",
                historyDir.toString(),
                "quarkus.langchain4j.openai.timeout",
                "2s",
                "quarkus.langchain4j.openai.max-retries",
                "1");
    }

    @Override
    public void stop() {
        if (model != null) {
            model.close();
        }
    }
}
