package dev.agentsandbox.router;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The access log: one line per routed request, written by one thread in batches, the way nginx writes its access
 * log with a buffer. The event loop only appends an entry to a lock-free queue (no lock, no wake-up, no system
 * call); the writer formats what has queued every {@code flushMillis} and writes it to the console's stream
 * (standard output, or standard error where the console log goes there, as in local mode) in chunks of
 * whole lines of at most 4 KiB, each one {@code write} (a pipe never interleaves writes up to that size, so other
 * log output cannot cut a line). Lines carry the path without its query string and never a header value, so tokens
 * and query secrets stay out of the log; control characters are escaped. When the writer falls behind, entries
 * are dropped and counted ({@code sandbox_router_access_log_dropped_total}).
 *
 * <p>Format: {@code <time> ACCESS <peer> <method> <path> <ns>/<name>:<port> owner=<owner> <status> <bytes>B
 * <ms>ms}.
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AccessLog.class);
    static final int CHUNK = 4096;
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private record Entry(
            long epochMillis,
            String remote,
            String method,
            String path,
            String sandbox,
            String owner,
            int status,
            long bytes,
            long nanos) {}

    private final Queue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    private final RouterMetrics metrics;
    private final OutputStream out;
    private final long flushNanos;
    private final Thread writer;
    private final StringBuilder line = new StringBuilder(256);
    private final byte[] chunk = new byte[CHUNK];
    private int chunkLength;
    private long cachedSecond = -1;
    private String cachedPrefix = "";
    private volatile boolean running = true;

    AccessLog(int queueSize, RouterMetrics metrics, OutputStream out, long flushMillis) {
        this.capacity = queueSize;
        this.metrics = metrics;
        this.out = out;
        this.flushNanos = TimeUnit.MILLISECONDS.toNanos(flushMillis);
        this.writer = new Thread(this::run, "sandbox-router-access-log");
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
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            metrics.accessLogLineDropped();
            return;
        }
        queue.add(new Entry(System.currentTimeMillis(), remote, method, path, sandbox, owner, status, bytes, nanos));
    }

    private void run() {
        while (running) {
            LockSupport.parkNanos(flushNanos);
            drain();
        }
        drain();
    }

    private void drain() {
        try {
            for (Entry e = queue.poll(); e != null; e = queue.poll()) {
                queued.decrementAndGet();
                append(format(e));
            }
            if (chunkLength > 0) {
                out.write(chunk, 0, chunkLength);
                chunkLength = 0;
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            chunkLength = 0;
            LOG.warnf("access log: cannot write: %s", e.toString());
        }
    }

    /** Adds one line to the chunk, writing the chunk first when the line does not fit; long lines go alone. */
    private void append(byte[] bytes) throws IOException {
        if (chunkLength + bytes.length > CHUNK && chunkLength > 0) {
            out.write(chunk, 0, chunkLength);
            chunkLength = 0;
        }
        if (bytes.length > CHUNK) {
            out.write(bytes);
            return;
        }
        System.arraycopy(bytes, 0, chunk, chunkLength, bytes.length);
        chunkLength += bytes.length;
    }

    private byte[] format(Entry e) {
        line.setLength(0);
        long millis = e.epochMillis();
        long second = millis / 1000;
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedPrefix = SECONDS.format(Instant.ofEpochSecond(second));
        }
        line.append(cachedPrefix).append(',');
        long ms = millis % 1000;
        if (ms < 100) {
            line.append('0');
        }
        if (ms < 10) {
            line.append('0');
        }
        line.append(ms).append(" ACCESS ");
        text(e.remote());
        line.append(' ');
        text(e.method());
        line.append(' ');
        text(e.path());
        line.append(' ');
        text(e.sandbox() == null ? "-" : e.sandbox());
        line.append(" owner=");
        text(e.owner() == null ? "-" : e.owner());
        line.append(' ')
                .append(e.status())
                .append(' ')
                .append(e.bytes())
                .append("B ")
                .append(e.nanos() / 1_000_000)
                .append('.')
                .append((e.nanos() / 100_000) % 10)
                .append("ms\n");
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Appends a client-influenced value with control characters escaped, so a line can never be split or forged. */
    private void text(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                line.append(String.format("\\x%02x", (int) c));
            } else {
                line.append(c);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
