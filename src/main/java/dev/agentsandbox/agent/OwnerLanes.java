package dev.agentsandbox.agent;

import dev.agentsandbox.owner.Owner;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs the work of one owner strictly in order, one piece at a time, while different owners proceed in parallel. Each
 * owner has a queue of futures; a piece of work starts when the previous one of the same owner has finished, whether
 * it succeeded or failed. Nothing here blocks a thread: the work itself decides where it runs.
 */
public class OwnerLanes {

    private final Map<Owner, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /** Queues {@code work} behind the owner's earlier work; the returned stage completes with its result. */
    public <T> CompletableFuture<T> submit(Owner owner, Supplier<? extends CompletionStage<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Void> done = tails.compute(owner, (o, tail) -> {
            CompletableFuture<Void> before = tail == null ? CompletableFuture.completedFuture(null) : tail;
            return before.thenCompose(ignored -> {
                start(work, result);
                return result.handle((r, e) -> null);
            });
        });
        // An idle owner leaves no entry behind; a newer tail is never removed by an older one.
        done.whenComplete((r, e) -> tails.remove(owner, done));
        return result;
    }

    /** How many owners have work queued or running. */
    public int busyOwners() {
        return tails.size();
    }

    private static <T> void start(Supplier<? extends CompletionStage<T>> work, CompletableFuture<T> result) {
        try {
            work.get().whenComplete((value, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(value);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }
}
