package dev.agentsandbox.bench.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * CPU time and peak resident memory of a controller over an interval, sampled every 50 ms from {@code /proc/PID}:
 * CPU as user + system clock ticks (10 ms each) of {@code stat}, memory as {@code VmRSS} of {@code status}
 * ({@code VmHWM} is the peak since the process started, not since the interval began). The process may be replaced
 * by a restart meanwhile: the CPU of the one that exited counts up to its last sample.
 */
final class ProcessUsage implements AutoCloseable {

    private final LongSupplier pids;
    private final AtomicLong peakRssKib = new AtomicLong();
    private final Thread sampler;
    private final long ticksAtStart;
    private long pid;
    private long lastTicks;
    private long ticksOfEarlierProcesses;
    private volatile boolean running = true;
    private long totalTicks = -1;

    ProcessUsage(LongSupplier pids) {
        this.pids = pids;
        this.pid = pids.getAsLong();
        this.ticksAtStart = cpuTicks(pid);
        this.lastTicks = ticksAtStart;
        this.sampler = new Thread(this::sampleEvery50Millis, "bench-usage");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sampleEvery50Millis() {
        while (running) {
            sample();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        long now = pids.getAsLong();
        if (now != pid) {
            ticksOfEarlierProcesses += lastTicks;
            pid = now;
            lastTicks = 0;
        }
        long ticks = cpuTicks(pid);
        if (ticks > 0) {
            lastTicks = ticks;
        }
        peakRssKib.accumulateAndGet(rssKib(pid), Math::max);
    }

    double cpuSeconds() {
        return totalTicks / 100.0;
    }

    double peakRssMib() {
        return peakRssKib.get() / 1024.0;
    }

    @Override
    public synchronized void close() {
        if (totalTicks >= 0) {
            return;
        }
        running = false;
        sampler.interrupt();
        sample();
        totalTicks = ticksOfEarlierProcesses + lastTicks - ticksAtStart;
    }

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name in parentheses may hold spaces: fields are counted after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
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
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
