package dev.agentsandbox.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeferredWritesTest {

    @Test
    void aWriteRunsNoEarlierThanTheDelayOnItsOwnThread() throws Exception {
        DeferredWrites writes = new DeferredWrites("test-writer", 1, 10);
        CountDownLatch done = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        long[] ranAfter = new long[1];
        writes.submit(() -> {
            ranAfter[0] = System.nanoTime() - t0;
            threads.add(Thread.currentThread().getName());
            done.countDown();
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(ranAfter[0])).isGreaterThanOrEqualTo(DeferredWrites.DELAY);
        assertThat(threads).containsExactly("test-writer");
        writes.drain(Duration.ofSeconds(1));
    }

    @Test
    void beyondItsCapacityAWriteIsDroppedAndWhatWaitsIsWrittenOnDrain() throws Exception {
        DeferredWrites writes = new DeferredWrites("test-writer", 1, 2);
        List<Integer> written = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            writes.submit(() -> written.add(n));
        }
        writes.drain(Duration.ofSeconds(5));
        assertThat(written).containsExactly(0, 1);
    }
}
