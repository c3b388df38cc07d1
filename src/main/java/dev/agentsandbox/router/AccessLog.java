package dev.agentsandbox.router;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
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
    private static final byte[] ACCESS = " ACCESS ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OWNER = " owner=".getBytes(StandardCharsets.US_ASCII);
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private record Entry(
            long epochMillis,
            String remote,
            String method,
            String path,
            String sandbox,
            int port,
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
    private byte[] line = new byte[512];
    private int lineLength;
    private final byte[] chunk = new byte[CHUNK];
    private int chunkLength;
    private long cachedSecond = -1;
    private byte[] cachedPrefix = new byte[0];
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
     * @param sandbox {@code namespace/name}, or null when the request was refused before resolution
     * @param port the sandbox's port (ignored without a sandbox)
     */
    public void log(
            String remote,
            String method,
            String path,
            String sandbox,
            int port,
            String owner,
            int status,
            long bytes,
            long nanos) {
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            metrics.accessLogLineDropped();
            return;
        }
        queue.add(new Entry(
                System.currentTimeMillis(), remote, method, path, sandbox, port, owner, status, bytes, nanos));
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
                format(e);
                append();
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

    /** Adds the formatted line to the chunk, writing the chunk first when it does not fit; long lines go alone. */
    private void append() throws IOException {
        if (chunkLength + lineLength > CHUNK && chunkLength > 0) {
            out.write(chunk, 0, chunkLength);
            chunkLength = 0;
        }
        if (lineLength > CHUNK) {
            out.write(line, 0, lineLength);
            return;
        }
        System.arraycopy(line, 0, chunk, chunkLength, lineLength);
        chunkLength += lineLength;
    }

    /** Formats {@code e} into {@link #line} as UTF-8, without an intermediate string. */
    private void format(Entry e) {
        lineLength = 0;
        long millis = e.epochMillis();
        long second = millis / 1000;
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedPrefix = SECONDS.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.US_ASCII);
        }
        bytes(cachedPrefix);
        ascii(',');
        long ms = millis % 1000;
        ascii((char) ('0' + ms / 100));
        ascii((char) ('0' + ms / 10 % 10));
        ascii((char) ('0' + ms % 10));
        bytes(ACCESS);
        text(e.remote());
        ascii(' ');
        text(e.method());
        ascii(' ');
        text(e.path());
        ascii(' ');
        if (e.sandbox() == null) {
            ascii('-');
        } else {
            text(e.sandbox());
            ascii(':');
            number(e.port());
        }
        bytes(OWNER);
        text(e.owner() == null ? "-" : e.owner());
        ascii(' ');
        number(e.status());
        ascii(' ');
        number(e.bytes());
        ascii('B');
        ascii(' ');
        number(e.nanos() / 1_000_000);
        ascii('.');
        ascii((char) ('0' + (e.nanos() / 100_000) % 10));
        ascii('m');
        ascii('s');
        ascii('\n');
    }

    /**
     * Appends a client-influenced value as UTF-8 with control characters escaped, so a line can never be split or
     * forged.
     */
    private void text(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                ascii('\\');
                ascii('x');
                ascii(HEX[c >> 4]);
                ascii(HEX[c & 0xf]);
            } else if (c < 0x80) {
                ascii(c);
            } else if (Character.isSurrogate(c)) {
                // rare: let the JDK pair (or replace) surrogates
                int end = i + 1;
                if (Character.isHighSurrogate(c)
                        && end < value.length()
                        && Character.isLowSurrogate(value.charAt(end))) {
                    end++;
                }
                bytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            } else if (c < 0x800) {
                ascii((char) (0xc0 | (c >> 6)));
                ascii((char) (0x80 | (c & 0x3f)));
            } else {
                ascii((char) (0xe0 | (c >> 12)));
                ascii((char) (0x80 | ((c >> 6) & 0x3f)));
                ascii((char) (0x80 | (c & 0x3f)));
            }
        }
    }

    private void number(long value) {
        if (value < 0) {
            ascii('-');
            value = -value;
        }
        int start = lineLength;
        do {
            ascii((char) ('0' + value % 10));
            value /= 10;
        } while (value > 0);
        for (int i = start, j = lineLength - 1; i < j; i++, j--) {
            byte t = line[i];
            line[i] = line[j];
            line[j] = t;
        }
    }

    private void bytes(byte[] value) {
        for (byte b : value) {
            ascii((char) (b & 0xff));
        }
    }

    /** One byte (the low eight bits of {@code c}); the line buffer grows for the rare long line. */
    private void ascii(char c) {
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = (byte) c;
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
