package dev.agentsandbox.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.agent.DirectoryConversationStore;
import dev.agentsandbox.agent.Turn;
import dev.agentsandbox.owner.Owner;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A child process that chats forever through the agent's history store (one turn per chat, capped at 20 as the agent
 * does) and appends the number of each turn to an acknowledgement file once the store has returned; {@link AgentKillTest} kills it
 * with SIGKILL at random moments. Arguments: history directory, owner, acknowledgement file.
 */
public final class HistoryWriterProcess {

    private HistoryWriterProcess() {}

    public static void main(String[] args) throws IOException {
        DirectoryConversationStore store = new DirectoryConversationStore(Path.of(args[0]), new ObjectMapper());
        Owner owner = Owner.fromHeader(args[1]);
        List<Turn> history = store.history(owner);
        int next = history.isEmpty()
                ? 1
                : Integer.parseInt(history.get(history.size() - 1).user().substring(1)) + 1;
        FileOutputStream acks = new FileOutputStream(args[2], true);
        while (true) {
            history = Turn.append(history, new Turn("q" + next, "a" + next + " " + "x".repeat(next % 4096)), 20);
            store.replace(owner, history);
            // Unbuffered write(2): the acknowledgement is in the page cache before the next turn starts, so it
            // survives SIGKILL (unlike a pipe the parent might not have drained).
            acks.write((next + "\n").getBytes(StandardCharsets.US_ASCII));
            next++;
        }
    }
}
