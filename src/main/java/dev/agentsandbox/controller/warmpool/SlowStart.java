package dev.agentsandbox.controller.warmpool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.IntPredicate;

/**
 * Runs {@code count} creates in batches of 1, 2, 4, ... (the ReplicaSet "slow start"): a batch runs in parallel, and
 * the first failing batch ends the run, so a template the API server refuses costs one failed call, not hundreds.
 */
final class SlowStart {

    private SlowStart() {}

    /**
     * Calls {@code create} up to {@code count} times (its argument is the ordinal) and returns how many calls were
     * made; {@code create} returns whether it succeeded. The caller lowers its expectations for the calls not made.
     */
    static int run(int count, int parallelism, ExecutorService executor, IntPredicate create) {
        int made = 0;
        int batch = 1;
        while (made < count) {
            int size = Math.min(batch, count - made);
            List<CompletableFuture<Boolean>> calls = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int ordinal = made + i;
                calls.add(CompletableFuture.supplyAsync(() -> create.test(ordinal), executor));
            }
            made += size;
            // Join every call of the batch (no short-circuit): the caller counts what finished.
            boolean allSucceeded = calls.stream().map(CompletableFuture::join).toList().stream()
                    .allMatch(Boolean::booleanValue);
            if (!allSucceeded) {
                return made;
            }
            batch = Math.min(batch * 2, Math.max(parallelism, 1) * 16);
        }
        return made;
    }
}
