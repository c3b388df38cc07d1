package dev.agentsandbox.client;

import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import dev.agentsandbox.api.SandboxWarmPool;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for the real claim controller, which another part of the project builds: a claim whose warm pool exists
 * gets a Sandbox (labelled with its owner and {@code launch-type=warm}) and Ready=True with
 * {@code status.sandbox.name}; a claim whose pool is missing gets Ready=False/WarmPoolNotFound, as the real
 * controller reports it. Deleting a claim deletes its Sandbox (the mock API server has no garbage collector).
 */
final class FakeClaimController implements AutoCloseable {

    private final KubernetesClient kube;
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private final SharedIndexInformer<SandboxClaim> informer;

    FakeClaimController(KubernetesClient kube) {
        this.kube = kube;
        this.informer = kube.resources(SandboxClaim.class).inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(SandboxClaim claim) {
                reconcile(claim);
            }

            @Override
            public void onUpdate(SandboxClaim previous, SandboxClaim claim) {}

            @Override
            public void onDelete(SandboxClaim claim, boolean finalStateUnknown) {
                try {
                    kube.resources(Sandbox.class)
                            .inNamespace(claim.getMetadata().getNamespace())
                            .withName(claim.getMetadata().getName())
                            .delete();
                } catch (KubernetesClientException e) {
                    // The test is tearing the API server down.
                }
            }
        });
    }

    /** Claims on this pool fail with a reason that does not heal. */
    FakeClaimController failing(String pool, String reason) {
        failures.put(pool, reason);
        return this;
    }

    static void createWarmPool(KubernetesClient kube, String namespace, String name) {
        SandboxWarmPool pool = new SandboxWarmPool();
        pool.setMetadata(
                new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        kube.resource(pool).create();
    }

    private void reconcile(SandboxClaim claim) {
        String namespace = claim.getMetadata().getNamespace();
        String pool = claim.getSpec().getWarmPoolRef().getName();
        try {
            if (failures.containsKey(pool)) {
                setReady(claim, null, false, failures.get(pool), "rejected by the fake controller");
            } else if (kube.resources(SandboxWarmPool.class)
                            .inNamespace(namespace)
                            .withName(pool)
                            .get()
                    == null) {
                setReady(
                        claim,
                        null,
                        false,
                        Conditions.WARM_POOL_NOT_FOUND,
                        "SandboxWarmPool \"" + pool + "\" not found");
            } else {
                String owner = claim.getMetadata().getLabels().get(Labels.OWNER);
                Sandbox sandbox = new Sandbox();
                // Named after the claim so that deleting the claim can find it again.
                sandbox.setMetadata(new ObjectMetaBuilder()
                        .withNamespace(namespace)
                        .withName(claim.getMetadata().getName())
                        .withLabels(Map.of(Labels.OWNER, owner, Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM))
                        .build());
                kube.resource(sandbox).create();
                setReady(claim, sandbox.getMetadata().getName(), true, Conditions.DEPENDENCIES_READY, "");
            }
        } catch (KubernetesClientException e) {
            // The test deleted the claim meanwhile; nothing left to do.
        }
    }

    private void setReady(SandboxClaim claim, String sandbox, boolean ready, String reason, String message) {
        SandboxClaim fresh = kube.resources(SandboxClaim.class)
                .inNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName())
                .get();
        if (fresh == null) {
            return;
        }
        SandboxClaimStatus status = new SandboxClaimStatus();
        status.setConditions(Conditions.with(List.of(), Conditions.READY, ready, reason, message, 1L, Instant.now()));
        if (sandbox != null) {
            ClaimedSandbox claimed = new ClaimedSandbox();
            claimed.setName(sandbox);
            status.setSandbox(claimed);
        }
        fresh.setStatus(status);
        kube.resource(fresh).updateStatus();
    }

    @Override
    public void close() {
        informer.close();
    }
}
