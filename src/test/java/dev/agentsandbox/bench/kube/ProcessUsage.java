package dev.agentsandbox.bench.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time and peak resident memory of one process over an interval: CPU from {@code /proc/PID/stat} (user +
 * system, in clock ticks of 10 ms) at both ends, the peak from {@code VmRSS} sampled every 50 ms in between
 * ({@code VmHWM} is the peak since the process started, not since the interval began).
 */
final class ProcessUsage implements AutoCloseable {

    private final long pid;
    private final long cpuTicksAtStart;
    private final AtomicLong peakRssKib = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;
    private long cpuTicksAtEnd = -1;

    ProcessUsage(long pid) {
        this.pid = pid;
        this.cpuTicksAtStart = cpuTicks(pid);
        this.sampler = new Thread(this::sample, "bench-usage-" + pid);
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (running) {
            peakRssKib.accumulateAndGet(rssKib(pid), Math::max);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    double cpuSeconds() {
        return (cpuTicksAtEnd - cpuTicksAtStart) / 100.0;
    }

    double peakRssMib() {
        return peakRssKib.get() / 1024.0;
    }

    @Override
    public void close() {
        if (cpuTicksAtEnd >= 0) {
            return;
        }
        cpuTicksAtEnd = cpuTicks(pid);
        peakRssKib.accumulateAndGet(rssKib(pid), Math::max);
        running = false;
        sampler.interrupt();
    }

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name in parentheses may hold spaces: fields are counted after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return 0;
        }
    }

    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }
}
