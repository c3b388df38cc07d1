package dev.agentsandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.owner.Owner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OwnerLanesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final OwnerLanes lanes = new OwnerLanes();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void oneOwnerRunsInSubmissionOrderOneAtATime() throws Exception {
        Owner owner = new Owner("alice");
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int n = i;
            results.add(lanes.submit(
                    owner,
                    () -> CompletableFuture.supplyAsync(
                            () -> {
                                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                                sleep(2);
                                order.add(n);
                                running.decrementAndGet();
                                if (n % 7 == 0) {
                                    throw new IllegalStateException("failure " + n);
                                }
                                return n;
                            },
                            pool)));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .handle((r, e) -> null)
                .get(10, TimeUnit.SECONDS);
        assertThat(order).isSorted().hasSize(30);
        assertThat(maxRunning).hasValue(1);
        assertThat(results.get(7)).isCompletedExceptionally();
        assertThat(results.get(8).join()).isEqualTo(8);
        assertThat(lanes.busyOwners()).isZero();
    }

    @Test
    void differentOwnersRunInParallel() throws Exception {
        CountDownLatch bothStarted = new CountDownLatch(2);
        List<CompletableFuture<Boolean>> results = new ArrayList<>();
        for (String name : List.of("alice", "bob")) {
            results.add(lanes.submit(
                    new Owner(name),
                    () -> CompletableFuture.supplyAsync(
                            () -> {
                                bothStarted.countDown();
                                try {
                                    return bothStarted.await(5, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            pool)));
        }
        for (CompletableFuture<Boolean> result : results) {
            assertThat(result.get(10, TimeUnit.SECONDS))
                    .as("both owners ran at the same time")
                    .isTrue();
        }
    }

    @Test
    void workThatThrowsWhileStartingFailsOnlyItself() throws Exception {
        Owner owner = new Owner("carol");
        CompletableFuture<String> broken = lanes.submit(owner, () -> {
            throw new IllegalStateException("cannot start");
        });
        CompletableFuture<String> next = lanes.submit(owner, () -> CompletableFuture.completedFuture("ran"));
        assertThat(broken).isCompletedExceptionally();
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
