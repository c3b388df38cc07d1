package dev.agentsandbox.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Settings of the agent role. The model itself is configured through {@code OPENAI_BASE_URL},
 * {@code OPENAI_API_KEY} and {@code LLM_MODEL}, mapped onto {@code quarkus.langchain4j.openai.*}.
 */
@ConfigMapping(prefix = "sandbox.agent")
public interface AgentConfig {

    /**
     * Where each owner's conversation is kept, one JSON file per owner ({@code AGENT_HISTORY_DIR}); in memory when
     * unset, so a restart forgets every conversation.
     */
    Optional<Path> historyDir();

    /** How many user+assistant pairs of an owner's history are kept and sent to the model. */
    @WithDefault("20")
    int historyPairs();

    /** The longest prompt accepted, in characters; longer ones are refused with 413. */
    @WithDefault("16000")
    int maxPromptChars();

    /** Threads that call the model; chats of different owners run in parallel up to this number. */
    @WithDefault("8")
    int workers();

    /** Chats waiting for a free worker before new ones are refused with 503. */
    @WithDefault("256")
    int queuedChats();
}
