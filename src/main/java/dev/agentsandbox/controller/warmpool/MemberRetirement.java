package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.ApiOutcomes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Deletes the members a pool retires, each on the condition that it is unchanged (its resourceVersion), so a claim
 * that adopted one meanwhile wins. A member a claim holds (see {@link MemberReservations}) is never deleted.
 */
final class MemberRetirement {

    private static final Logger LOG = Logger.getLogger(MemberRetirement.class);

    private final KubernetesClient client;
    private final Expectations expectations;
    private final MemberReservations reservations;
    private final WarmPoolMetrics metrics;

    MemberRetirement(
            KubernetesClient client,
            Expectations expectations,
            MemberReservations reservations,
            WarmPoolMetrics metrics) {
        this.client = client;
        this.expectations = expectations;
        this.reservations = reservations;
        this.metrics = metrics;
    }

    /**
     * Deletes the members no claim holds; returns how many are still there because the API server refused their
     * delete (a claim adopted one, or its status moved).
     */
    int retire(SandboxWarmPool pool, String key, List<Sandbox> members) {
        String namespace = pool.getMetadata().getNamespace();
        List<Sandbox> free = members.stream()
                .filter(s -> !reservations.isReserved(namespace, s.getMetadata().getName()))
                .toList();
        if (free.isEmpty()) {
            return 0;
        }
        List<String> names = free.stream().map(s -> s.getMetadata().getName()).toList();
        expectations.expectDeletions(key, names);
        int deleted = 0;
        int refused = 0;
        for (Sandbox member : free) {
            switch (delete(key, member)) {
                case DELETED -> deleted++;
                case REFUSED -> refused++;
                case GONE -> {}
            }
        }
        metrics.deleted(namespace, pool.getMetadata().getName(), deleted);
        if (deleted > 0) {
            LOG.infof("warm pool %s: deleted %d member(s) (%s)", key, deleted, names);
        }
        return refused;
    }

    private enum Outcome {
        DELETED,
        GONE,
        REFUSED
    }

    private Outcome delete(String key, Sandbox member) {
        String name = member.getMetadata().getName();
        try {
            // The resourceVersion precondition loses against a claim that adopted the member meanwhile.
            boolean gone = client.resources(Sandbox.class)
                    .inNamespace(member.getMetadata().getNamespace())
                    .withName(name)
                    .lockResourceVersion(member.getMetadata().getResourceVersion())
                    .delete()
                    .isEmpty();
            if (gone) {
                expectations.deletionObserved(key, name);
                return Outcome.GONE;
            }
            return Outcome.DELETED;
        } catch (KubernetesClientException e) {
            expectations.deletionObserved(key, name);
            LOG.debugf("warm pool %s: member %s not deleted: %s", key, name, ApiOutcomes.reason(e));
            return Outcome.REFUSED;
        }
    }
}
