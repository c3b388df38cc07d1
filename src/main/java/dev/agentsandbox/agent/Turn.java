package dev.agentsandbox.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One user prompt and the agent's reply to it: the unit in which history is kept and capped. */
public record Turn(String user, String assistant) {

    public Turn {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(assistant, "assistant");
    }

    /** The history after {@code turn}, keeping only the newest {@code cap} pairs. */
    public static List<Turn> append(List<Turn> history, Turn turn, int cap) {
        List<Turn> next = new ArrayList<>(history.size() + 1);
        next.addAll(history);
        next.add(turn);
        int drop = Math.max(0, next.size() - cap);
        return List.copyOf(next.subList(drop, next.size()));
    }
}
