package dev.agentsandbox.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.agent.DirectoryConversationStore;
import dev.agentsandbox.agent.Turn;
import dev.agentsandbox.owner.Owner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent process killed with SIGKILL in the middle of chats: the history it leaves on disk is whole (it parses),
 * in order, has every turn the process acknowledged, and a restarted agent carries on from it. The model failing
 * mid-chat (HTTP 502/504, history unchanged) is covered end to end by {@code agent.AgentChatTest}; the router's
 * answer to an agent that dies mid-reply by {@code router.SandboxProxyTest} and {@link RouterFaultsTest}.
 */
class AgentKillTest {

    /** The last complete line of the acknowledgement file (a line cut by the kill does not count). */
    private static int lastAck(Path acks) throws IOException {
        String text = Files.readString(acks, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return 0;
        }
        int start = text.lastIndexOf('\n', end - 1) + 1;
        return Integer.parseInt(text.substring(start, end));
    }

    @TempDir
    Path historyDir;

    @Test
    void killedMidWriteLeavesAWholeHistoryWithEveryAcknowledgedTurn() throws Exception {
        Random random = new Random(42);
        Owner owner = Owner.fromHeader("alice");
        int rounds = 5;
        int lastAcknowledged = 0;
        Path acks = Files.createFile(historyDir.resolve("acks.txt"));
        for (int round = 0; round < rounds; round++) {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process agent = new ProcessBuilder(
                            java,
                            "-Xmx64m",
                            "-XX:TieredStopAtLevel=1",
                            "-cp",
                            System.getProperty("java.class.path"),
                            HistoryWriterProcess.class.getName(),
                            historyDir.toString(),
                            owner.name(),
                            acks.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            int floor = lastAcknowledged + 20;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lastAck(acks) < floor && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(150));
            agent.destroyForcibly();
            assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
            int acked = lastAck(acks);
            assertThat(acked).as("round %d made progress", round).isGreaterThanOrEqualTo(floor);

            // What a restarted agent reads.
            List<Turn> history = new DirectoryConversationStore(historyDir, new ObjectMapper()).history(owner);
            int newest = Integer.parseInt(history.get(history.size() - 1).user().substring(1));
            long leftovers;
            try (Stream<Path> files = Files.list(historyDir)) {
                leftovers = files.filter(f -> f.getFileName().toString().startsWith(".tmp-"))
                        .count();
            }
            System.out.printf(
                    "RELIABILITY agent-kill round=%d acknowledged=%d newestOnDisk=%d turnsKept=%d "
                            + "leftoverTempFiles=%d%n",
                    round, acked, newest, history.size(), leftovers);
            assertThat(newest)
                    .as("no acknowledged turn lost; at most the one in flight added")
                    .isBetween(acked, acked + 1);
            assertThat(history).hasSize(20);
            for (int i = 0; i < history.size(); i++) {
                assertThat(history.get(i).user())
                        .as("turns in order, none missing")
                        .isEqualTo("q" + (newest - 19 + i));
            }
            lastAcknowledged = newest;
        }
    }
}
