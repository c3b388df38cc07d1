package dev.agentsandbox.agent;

import dev.agentsandbox.owner.Owner;
import java.util.List;

/**
 * Each owner's history of turns. Callers serialise access per owner (see {@link OwnerLanes}), so an implementation
 * only needs to be safe across different owners.
 */
public interface ConversationStore {

    /** The owner's turns, oldest first; empty for an owner never seen. */
    List<Turn> history(Owner owner);

    /** Replaces the owner's history; either all of it is kept or, on failure, the previous one stays. */
    void replace(Owner owner, List<Turn> turns);

    /** Forgets the owner's history. */
    void clear(Owner owner);
}
