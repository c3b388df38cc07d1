package dev.agentsandbox.bench.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's count of a controller's API requests, also across the API server's rotation of its audit log. */
class AuditCountsTest {

    static final String USER = "system:serviceaccount:agent-sandbox-system:agent-sandbox-controller";

    @TempDir
    Path dir;

    @Test
    void requestsAreCountedBetweenTwoMarksByVerbAndResource() throws Exception {
        Path log = dir.resolve("audit.log");
        append(log, event("create", "sandboxes", null), event("patch", "sandboxes", "status"));
        AuditCounts.Mark from = AuditCounts.mark(log);
        append(log, event("patch", "sandboxes", "status"), event("create", "pods", null), otherUsersEvent());

        AuditCounts counts = AuditCounts.between(log, from, AuditCounts.mark(log), USER);

        assertThat(counts.byVerbAndResource()).isEqualTo(Map.of("patch sandboxes/status", 1, "create pods", 1));
        assertThat(counts.writes()).isEqualTo(2);
    }

    @Test
    void aRotationBetweenTheMarksLosesNothing() throws Exception {
        // the API server renames its log to audit-<time>.log at 100 MB and starts a new one: a scenario that spans
        // the rotation ends with a file smaller than where it started
        Path log = dir.resolve("audit.log");
        append(log, event("create", "sandboxes", null));
        AuditCounts.Mark from = AuditCounts.mark(log);
        append(log, event("patch", "sandboxes", null));
        Files.move(log, dir.resolve("audit-2026-12-06T08-05-26.087.log"));
        append(log, event("patch", "sandboxclaims", "status"));

        AuditCounts counts = AuditCounts.between(log, from, AuditCounts.mark(log), USER);

        assertThat(counts.byVerbAndResource()).isEqualTo(Map.of("patch sandboxes", 1, "patch sandboxclaims/status", 1));
    }

    private static String event(String verb, String resource, String subresource) {
        return "{\"stage\":\"ResponseComplete\",\"verb\":\"" + verb + "\",\"user\":{\"username\":\"" + USER
                + "\"},\"objectRef\":{\"resource\":\"" + resource + "\""
                + (subresource == null ? "" : ",\"subresource\":\"" + subresource + "\"") + "}}";
    }

    private static String otherUsersEvent() {
        return event("create", "pods", null).replace(USER, "system:kube-scheduler");
    }

    private static void append(Path log, String... events) throws Exception {
        Files.writeString(log, String.join("\n", events) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
