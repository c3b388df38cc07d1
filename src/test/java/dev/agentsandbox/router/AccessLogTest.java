package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RouterMetrics metrics = new RouterMetrics(registry);

    @Test
    void writesOneLinePerRequestWithTheRouteOwnerStatusSizeAndTime() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AccessLog log = new AccessLog(100, metrics, out, 10)) {
            log.log("127.0.0.1", "POST", "/chat", "team-a/alice-box", 8888, "alice", 200, 1234, 12_345_678);
            log.log("127.0.0.1", "GET", "/x", null, 0, null, 400, 40, 150_000);
        }

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} ACCESS 127\\.0\\.0\\.1 POST /chat "
                        + "team-a/alice-box:8888 owner=alice 200 1234B 12\\.3ms");
        assertThat(lines.get(1)).endsWith(" ACCESS 127.0.0.1 GET /x - owner=- 400 40B 0.1ms");
    }

    @Test
    void controlCharactersAreEscapedSoALineCannotBeForged() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AccessLog log = new AccessLog(100, metrics, out, 10)) {
            log.log("127.0.0.1", "GET", "/a\n2026-01-01 00:00:00,000 ACCESS forged", null, 0, null, 404, 0, 0);
        }

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("/a\\x0a2026-01-01");
    }

    @Test
    void nonAsciiTextIsWrittenAsUtf8AndLongLinesWhole() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String path = "/caf\u00e9/\u6f22\u5b57/\ud83d\ude00/" + "x".repeat(9000);
        try (AccessLog log = new AccessLog(100, metrics, out, 10)) {
            log.log("::1", "GET", path, "ns/box", 8888, "\u00e9lise", 200, Long.MAX_VALUE, 0);
        }

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .endsWith(
                        " ACCESS ::1 GET " + path + " ns/box:8888 owner=\u00e9lise 200 " + Long.MAX_VALUE + "B 0.0ms");
    }

    @Test
    void writesWholeLinesInChunksOfAtMostOnePipeBuffer() {
        List<byte[]> writes = new ArrayList<>();
        OutputStream recorder = new OutputStream() {
            @Override
            public void write(int b) {
                writes.add(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) {
                byte[] copy = new byte[len];
                System.arraycopy(b, off, copy, 0, len);
                writes.add(copy);
            }
        };
        try (AccessLog log = new AccessLog(10_000, metrics, recorder, 1_000)) {
            for (int i = 0; i < 1000; i++) {
                log.log("127.0.0.1", "GET", "/item/" + i, "ns/box", 8080, "alice", 200, 15, 1_000_000);
            }
        }

        assertThat(writes).as("batched, not one write per line").hasSizeLessThan(100);
        int lines = 0;
        for (byte[] w : writes) {
            assertThat(w.length).isLessThanOrEqualTo(AccessLog.CHUNK);
            String text = new String(w, StandardCharsets.UTF_8);
            assertThat(text).as("each write ends at a line end").endsWith("\n");
            lines += (int) text.lines().count();
        }
        assertThat(lines).isEqualTo(1000);
    }

    @Test
    void dropsAndCountsWhatDoesNotFitInTheQueue() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AccessLog log = new AccessLog(5, metrics, out, 60_000)) {
            for (int i = 0; i < 8; i++) {
                log.log("127.0.0.1", "GET", "/" + i, null, 0, null, 200, 0, 0);
            }
        }

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(5);
        assertThat(registry.get("sandbox.router.access.log.dropped").counter().count())
                .isEqualTo(3.0);
    }
}
