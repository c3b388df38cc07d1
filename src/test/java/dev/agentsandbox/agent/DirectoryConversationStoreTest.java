package dev.agentsandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.owner.Owner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryConversationStoreTest {

    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aNewStoreReadsWhatTheLastOneWrote() {
        Owner alice = new Owner("alice");
        List<Turn> turns =
                List.of(new Turn("hi", "I am alice's agent. Hello."), new Turn("ünïcödé \"quotes\"\n", "ok"));
        new DirectoryConversationStore(dir, json).replace(alice, turns);

        assertThat(new DirectoryConversationStore(dir, json).history(alice)).isEqualTo(turns);
        assertThat(new DirectoryConversationStore(dir, json).history(new Owner("bob")))
                .isEmpty();
    }

    @Test
    void ownersDifferingOnlyInCaseGetTheirOwnFiles() {
        DirectoryConversationStore store = new DirectoryConversationStore(dir, json);
        store.replace(new Owner("Alice"), List.of(new Turn("upper", "A")));
        store.replace(new Owner("alice"), List.of(new Turn("lower", "a")));

        DirectoryConversationStore restarted = new DirectoryConversationStore(dir, json);
        assertThat(restarted.history(new Owner("Alice"))).containsExactly(new Turn("upper", "A"));
        assertThat(restarted.history(new Owner("alice"))).containsExactly(new Turn("lower", "a"));
        assertThat(store.fileOf(new Owner("Alice"))).isNotEqualTo(store.fileOf(new Owner("alice")));
        assertThat(store.fileOf(new Owner("alice")).getParent()).isEqualTo(dir);
    }

    @Test
    void writesLeaveNoTemporaryFilesAndClearDeletes() throws IOException {
        DirectoryConversationStore store = new DirectoryConversationStore(dir, json);
        Owner carol = new Owner("carol");
        for (int i = 0; i < 5; i++) {
            store.replace(carol, List.of(new Turn("q" + i, "a" + i)));
        }
        assertThat(files()).containsExactly(store.fileOf(carol).getFileName().toString());

        store.clear(carol);
        assertThat(files()).isEmpty();
        assertThat(new DirectoryConversationStore(dir, json).history(carol)).isEmpty();
    }

    @Test
    void createsTheDirectory() {
        Path nested = dir.resolve("volume/history");
        new DirectoryConversationStore(nested, json).replace(new Owner("dave"), List.of(new Turn("q", "a")));
        assertThat(nested).isDirectory();
    }

    private List<String> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }
}
