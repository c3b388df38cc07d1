package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;

/** The agent's answer to one prompt ({@code POST /chat}). */
public record ChatReply(String owner, String reply, int historyTurns) {

    /** The kata-aks example's routing check: the agent must introduce itself as this owner's agent. */
    public boolean answersAs(Owner expected) {
        return reply != null && reply.strip().startsWith("I am " + expected.name() + "'s agent");
    }
}
