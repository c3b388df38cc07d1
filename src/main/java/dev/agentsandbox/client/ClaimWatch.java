package dev.agentsandbox.client;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits for one claim to become Ready by watching it (an informer on that single name), so the client reacts to
 * each status change at once instead of polling. Reasons that never heal end the wait early, and so does an idle
 * suspension: the router wakes that sandbox when the client sends it a request.
 */
final class ClaimWatch {

    private final KubernetesClient kube;

    ClaimWatch(KubernetesClient kube) {
        this.kube = kube;
    }

    /** Blocks until the claim is Ready or asleep and returns its state, which names the Sandbox. */
    ClaimState awaitReady(ClaimRef ref, Duration timeout, ClaimProgress progress) {
        CompletableFuture<ClaimState> outcome = new CompletableFuture<>();
        AtomicReference<SandboxClaim> lastSeen = new AtomicReference<>();
        AtomicReference<ClaimState> lastState = new AtomicReference<>();
        ResourceEventHandler<SandboxClaim> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(SandboxClaim claim) {
                observe(claim);
            }

            @Override
            public void onUpdate(SandboxClaim previous, SandboxClaim claim) {
                observe(claim);
            }

            @Override
            public void onDelete(SandboxClaim claim, boolean finalStateUnknown) {
                outcome.completeExceptionally(
                        new ClaimNotFoundException(ref.namespace(), ref.name(), "deleted while waiting for Ready"));
            }

            private void observe(SandboxClaim claim) {
                lastSeen.set(claim);
                ClaimState state = ClaimState.of(claim);
                ClaimState previous = lastState.getAndSet(state);
                switch (state.phase()) {
                    case READY, ASLEEP -> outcome.complete(state);
                    case FAILED -> outcome.completeExceptionally(
                            new ClaimFailedException(ref.namespace(), ref.name(), state.reason(), state.message()));
                    case WAITING -> {
                        if (suspendedByUser(ref, state)) {
                            // as the router would answer it (409): a user's suspension is not waited out
                            outcome.completeExceptionally(new SandboxSuspendedException(
                                    ref.namespace(),
                                    state.sandbox(),
                                    ref.owner(),
                                    "its spec.operatingMode is Suspended without the idle policy's mark"));
                            return;
                        }
                        if (state.reason() != null
                                && (previous == null || !Objects.equals(previous.reason(), state.reason()))) {
                            progress.waiting(ref, state.reason(), state.message());
                        }
                    }
                }
            }
        };
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SharedIndexInformer<SandboxClaim> informer = kube.resources(SandboxClaim.class)
                .inNamespace(ref.namespace())
                .withName(ref.name())
                .inform(handler)) {
            if (informer.getStore().list().isEmpty() && !outcome.isDone()) {
                throw new ClaimNotFoundException(ref.namespace(), ref.name(), "not found");
            }
            return outcome.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            ClaimState state = lastState.get();
            throw new ClaimTimeoutException(
                    ref.namespace(),
                    ref.name(),
                    timeout,
                    state == null ? null : state.reason(),
                    explain(lastSeen.get(), state));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SandboxClientException known) {
                throw known;
            }
            throw new SandboxClientException(
                    "claim " + ref + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxClientException("claim " + ref + ": interrupted while waiting for Ready", e);
        } catch (KubernetesClientException e) {
            throw new SandboxClientException("claim " + ref + ": cannot watch it: " + e.getMessage(), e);
        }
    }

    /**
     * A claim's sandbox that is not Ready may be suspended; only then is the Sandbox read (a client allowed to read
     * claims but not Sandboxes waits as before).
     */
    private boolean suspendedByUser(ClaimRef ref, ClaimState state) {
        if (state.sandbox() == null || !Conditions.SANDBOX_NOT_READY.equals(state.reason())) {
            return false;
        }
        try {
            Sandbox sandbox = kube.resources(Sandbox.class)
                    .inNamespace(ref.namespace())
                    .withName(state.sandbox())
                    .get();
            return sandbox != null && SandboxSleep.byUser(sandbox);
        } catch (KubernetesClientException e) {
            return false;
        }
    }

    /** Says why a claim is still not Ready, naming the object that is missing where the reason allows. */
    static String explain(SandboxClaim claim, ClaimState state) {
        if (state == null || state.reason() == null) {
            return "no Ready condition yet (is the agent-sandbox controller running?)";
        }
        String pool =
                claim == null || claim.getSpec() == null || claim.getSpec().getWarmPoolRef() == null
                        ? "?"
                        : claim.getSpec().getWarmPoolRef().getName();
        String namespace = claim == null ? "?" : claim.getMetadata().getNamespace();
        String controllerSays = state.reason()
                + (state.message() == null || state.message().isBlank() ? "" : " (" + state.message() + ")");
        return switch (state.reason()) {
            case Conditions.WARM_POOL_NOT_FOUND -> "warm pool \"" + pool + "\" not found in namespace " + namespace
                    + ": " + controllerSays;
            case Conditions.TEMPLATE_NOT_FOUND -> "the template of warm pool \"" + pool + "\" was not found: "
                    + controllerSays;
            default -> "last reason " + controllerSays;
        };
    }
}
