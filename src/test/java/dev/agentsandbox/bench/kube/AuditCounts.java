package dev.agentsandbox.bench.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The API requests of one user between two offsets of the API server's audit log (JSON lines, one event per request
 * at stage ResponseComplete), by verb and resource ({@code create sandboxes}, {@code patch sandboxes/status}). The
 * API server's request metrics carry no client label, so the audit log is the only per-client count.
 */
record AuditCounts(Map<String, Integer> byVerbAndResource) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

    static long offset(Path auditLog) throws IOException {
        return Files.exists(auditLog) ? Files.size(auditLog) : 0;
    }

    static AuditCounts between(Path auditLog, long from, long to, String user) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        try (RandomAccessFile file = new RandomAccessFile(auditLog.toFile(), "r")) {
            byte[] slice = new byte[(int) (to - from)];
            file.seek(from);
            file.readFully(slice);
            for (String line : new String(slice, StandardCharsets.UTF_8).split("\n")) {
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
