package dev.agentsandbox.agent;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** Boots the application in the agent role against {@link FakeOpenAi}. */
public class AgentRoleProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("sandbox.role", "agent");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FakeOpenAiResource.class));
    }
}
