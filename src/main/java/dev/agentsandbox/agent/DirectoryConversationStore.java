package dev.agentsandbox.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.owner.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Histories kept as one JSON file per owner in a directory (a volume of the sandbox), so that conversations survive
 * a restart of the agent. Each write goes to a temporary file that then replaces the owner's file atomically: a crash
 * leaves either the old or the new history, never a torn one.
 */
public class DirectoryConversationStore implements ConversationStore {

    /** What one owner's file holds; the owner is stored so that a file can be told apart from another's. */
    record HistoryFile(String owner, List<Turn> turns) {}

    private final Path directory;
    private final ObjectMapper json;
    private final Map<Owner, List<Turn>> cache = new ConcurrentHashMap<>();

    public DirectoryConversationStore(Path directory, ObjectMapper json) {
        this.directory = directory;
        this.json = json;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("agent history directory " + directory + ": cannot create it", e);
        }
    }

    @Override
    public List<Turn> history(Owner owner) {
        return cache.computeIfAbsent(owner, this::read);
    }

    @Override
    public void replace(Owner owner, List<Turn> turns) {
        List<Turn> copy = List.copyOf(turns);
        write(owner, copy);
        cache.put(owner, copy);
    }

    @Override
    public void clear(Owner owner) {
        try {
            Files.deleteIfExists(fileOf(owner));
        } catch (IOException e) {
            throw new UncheckedIOException("history of owner " + owner + ": cannot delete " + fileOf(owner), e);
        }
        cache.remove(owner);
    }

    /**
     * The owner's file. Owner names are label values (no '/' and no leading '.'), but two of them may differ only in
     * case, which a case-insensitive file system would merge: the hash of the exact name keeps them apart.
     */
    Path fileOf(Owner owner) {
        return directory.resolve(owner.name().toLowerCase(Locale.ROOT) + "-" + shortHash(owner.name()) + ".json");
    }

    private List<Turn> read(Owner owner) {
        Path file = fileOf(owner);
        try {
            HistoryFile stored = json.readValue(Files.readString(file, StandardCharsets.UTF_8), HistoryFile.class);
            if (!owner.name().equals(stored.owner())) {
                throw new IllegalStateException("history file " + file + " belongs to owner \"" + stored.owner()
                        + "\", not to \"" + owner + "\"");
            }
            return stored.turns() == null ? List.of() : List.copyOf(stored.turns());
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("history of owner " + owner + ": cannot read " + file, e);
        }
    }

    private void write(Owner owner, List<Turn> turns) {
        Path file = fileOf(owner);
        Path temp = null;
        try {
            temp = Files.createTempFile(directory, ".tmp-", ".json");
            Files.write(temp, json.writeValueAsBytes(new HistoryFile(owner.name(), turns)));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("history of owner " + owner + ": cannot write " + file, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // A leftover temporary file is harmless: it is never read.
                }
            }
        }
    }

    private static String shortHash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
