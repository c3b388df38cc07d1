package dev.agentsandbox.router;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One line per routed request (category {@code dev.agentsandbox.router.access}), handed to a single writer
 * thread so the event loop never waits on the console. Lines carry the path without its query string and never a
 * header value, so tokens and query secrets stay out of logs. When the writer falls behind, lines are dropped and
 * counted ({@code sandbox_router_access_log_dropped_total}).
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("dev.agentsandbox.router.access");

    private final BlockingQueue<String> lines;
    private final RouterMetrics metrics;
    private final Thread writer;
    private volatile boolean running = true;

    public AccessLog(int queueSize, RouterMetrics metrics) {
        this.lines = new ArrayBlockingQueue<>(queueSize);
        this.metrics = metrics;
        this.writer = new Thread(this::write, "sandbox-router-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * @param owner the owner the request was routed for, or null
     * @param sandbox {@code namespace/name:port}, or null when the request was refused before resolution
     */
    public void log(
            String remote,
            String method,
            String path,
            String sandbox,
            String owner,
            int status,
            long bytes,
            long nanos) {
        StringBuilder line = new StringBuilder(128);
        line.append(remote)
                .append(' ')
                .append(method)
                .append(' ')
                .append(path)
                .append(' ')
                .append(sandbox == null ? "-" : sandbox)
                .append(" owner=")
                .append(owner == null ? "-" : owner)
                .append(' ')
                .append(status)
                .append(' ')
                .append(bytes)
                .append("B ")
                .append(nanos / 1_000_000)
                .append('.')
                .append((nanos / 100_000) % 10)
                .append("ms");
        if (!lines.offer(line.toString())) {
            metrics.accessLogLineDropped();
        }
    }

    private void write() {
        while (running || !lines.isEmpty()) {
            try {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null) {
                    LOG.info(line);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
