package dev.agentsandbox.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures every log record of the JVM (root logger, all levels, formatted with its parameters and thrown
 * exception) so a test can check that no secret was ever written to a log.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level previous;

    private LogCapture() {
        setLevel(Level.ALL);
        previous = root.getLevel();
        root.addHandler(this);
    }

    static LogCapture start() {
        return new LogCapture();
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line =
                new StringBuilder().append(record.getLoggerName()).append(' ').append(record.getMessage());
        if (record.getParameters() != null) {
            for (Object p : record.getParameters()) {
                line.append(" | ").append(p);
            }
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            line.append(" | ").append(t);
        }
        lines.add(line.toString());
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Lines that contain any of the secrets. */
    List<String> linesContaining(List<String> secrets) {
        return lines.stream()
                .filter(l -> secrets.stream().anyMatch(l::contains))
                .toList();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(previous);
    }
}
