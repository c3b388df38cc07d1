package dev.agentsandbox.controller.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlowStartTest {

    ExecutorService executor = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void makesExactlyTheRequestedCallsWhenAllSucceed() {
        List<Integer> ordinals = Collections.synchronizedList(new ArrayList<>());
        int made = SlowStart.run(300, 16, executor, i -> ordinals.add(i));
        assertThat(made).isEqualTo(300);
        assertThat(ordinals).hasSize(300).doesNotHaveDuplicates();
    }

    @Test
    void stopsAfterTheFirstFailingBatch() {
        AtomicInteger calls = new AtomicInteger();
        // Batches 1, 2, 4: the 4th call (first of the third batch) fails, so that batch ends the run.
        int made = SlowStart.run(100, 16, executor, i -> calls.incrementAndGet() != 4);
        assertThat(made).isEqualTo(7);
        assertThat(calls.get()).isEqualTo(7);
    }

    @Test
    void aFailingFirstCallCostsOneCall() {
        AtomicInteger calls = new AtomicInteger();
        assertThat(SlowStart.run(50, 16, executor, i -> {
                    calls.incrementAndGet();
                    return false;
                }))
                .isEqualTo(1);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void zeroMakesNoCall() {
        assertThat(SlowStart.run(0, 16, executor, i -> true)).isZero();
    }
}
