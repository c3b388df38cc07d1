package dev.agentsandbox.owner;

/**
 * The owner's agent's answer to one chat ({@code POST /chat}, docs/api.md section 11.1): whose agent answered, the
 * reply, and how many user+assistant pairs the owner's history holds after this turn. On the wire it is
 * {@code {"owner": "<name>", "reply": "...", "history_turns": N}}.
 */
public record ChatReply(Owner owner, String reply, int historyTurns) {

    /** The words every reply of {@code owner}'s agent begins with (docs/api.md section 11.4). */
    public static String introduction(Owner owner) {
        return "I am " + owner.name() + "'s agent";
    }

    /** The kata-aks example's routing check: the reply introduces itself as {@code expected}'s agent. */
    public boolean answersAs(Owner expected) {
        return reply != null && reply.strip().startsWith(introduction(expected));
    }
}
