package dev.agentsandbox.bench.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The API requests of one user between two offsets of the API server's audit log (JSON lines, one event per request
 * at stage ResponseComplete), by verb and resource ({@code create sandboxes}, {@code patch sandboxes/status}). The
 * API server's request metrics carry no client label, so the audit log is the only per-client count.
 */
record AuditCounts(Map<String, Integer> byVerbAndResource) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

    /**
     * A place in the audit log: the file that was current then, by its file key (which the API server's rotation at
     * 100 MB keeps, where the name moves to {@code audit-<time>.log}), and that file's size.
     */
    record Mark(Object fileKey, long offset) {}

    static Mark mark(Path auditLog) throws IOException {
        if (!Files.exists(auditLog)) {
            return new Mark(null, 0);
        }
        return new Mark(
                Files.readAttributes(auditLog, BasicFileAttributes.class).fileKey(), Files.size(auditLog));
    }

    static AuditCounts between(Path auditLog, Mark from, Mark to, String user) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (Segment segment : segments(auditLog, from, to)) {
            for (String line : segment.read().split("\n")) {
                if (!line.contains(user)) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                if (!"ResponseComplete".equals(event.path("stage").asText())
                        || !user.equals(event.path("user").path("username").asText())) {
                    continue;
                }
                JsonNode ref = event.path("objectRef");
                String resource = ref.path("resource").asText("-")
                        + (ref.hasNonNull("subresource")
                                ? "/" + ref.path("subresource").asText()
                                : "");
                counts.merge(event.path("verb").asText() + " " + resource, 1, Integer::sum);
            }
        }
        return new AuditCounts(counts);
    }

    /** The byte ranges between two marks: the rest of the file current at {@code from}, files rotated since, and so on. */
    private static List<Segment> segments(Path auditLog, Mark from, Mark to) throws IOException {
        List<Path> files = new ArrayList<>();
        String rotatedPrefix = auditLog.getFileName().toString().replaceFirst("\\.log$", "") + "-";
        try (Stream<Path> siblings = Files.list(auditLog.getParent())) {
            siblings.filter(p -> p.getFileName().toString().startsWith(rotatedPrefix))
                    .sorted() // audit-<time>.log: by name is by time
                    .forEach(files::add);
        }
        files.add(auditLog);
        List<Segment> segments = new ArrayList<>();
        boolean started = from.fileKey() == null;
        for (Path file : files) {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            boolean first = key.equals(from.fileKey());
            started |= first;
            if (!started) {
                continue;
            }
            boolean last = key.equals(to.fileKey());
            segments.add(new Segment(file, first ? from.offset() : 0, last ? to.offset() : Files.size(file)));
            if (last) {
                break;
            }
        }
        return segments;
    }

    private record Segment(Path file, long from, long to) {
        String read() throws IOException {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                byte[] slice = new byte[(int) (to - from)];
                in.seek(from);
                in.readFully(slice);
                return new String(slice, StandardCharsets.UTF_8);
            }
        }
    }

    int writes() {
        return byVerbAndResource.entrySet().stream()
                .filter(e -> WRITES.contains(e.getKey().substring(0, e.getKey().indexOf(' '))))
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    int total() {
        return byVerbAndResource.values().stream().mapToInt(Integer::intValue).sum();
    }
}
