package dev.agentsandbox.agent;

import dev.agentsandbox.owner.Owner;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Histories kept in memory only: lost when the agent restarts. */
public class MemoryConversationStore implements ConversationStore {

    private final Map<Owner, List<Turn>> histories = new ConcurrentHashMap<>();

    @Override
    public List<Turn> history(Owner owner) {
        return histories.getOrDefault(owner, List.of());
    }

    @Override
    public void replace(Owner owner, List<Turn> turns) {
        histories.put(owner, List.copyOf(turns));
    }

    @Override
    public void clear(Owner owner) {
        histories.remove(owner);
    }
}
