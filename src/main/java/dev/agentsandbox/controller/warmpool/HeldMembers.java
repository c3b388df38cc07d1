package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Members held instead of replaced because their Pod is Unschedulable (a new Pod would not fit either), per pool.
 * Events fire when the set changes: WarmPoolNotProgressing for newly held members, WarmPoolProgressing when none is
 * held any more.
 */
final class HeldMembers {

    private static final Logger LOG = Logger.getLogger(HeldMembers.class);
    static final String NOT_PROGRESSING_EVENT = "WarmPoolNotProgressing";
    static final String PROGRESSING_EVENT = "WarmPoolProgressing";

    private final KubernetesClient client;
    private final EventRecorder events;
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();

    HeldMembers(KubernetesClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    /** The members held at the pool's last decision. */
    Set<String> of(String key) {
        return held.getOrDefault(key, Set.of());
    }

    /** Whether the member's Pod is Unschedulable: the member's PodScheduled condition, else the Pod's own. */
    boolean isUnschedulable(Sandbox member) {
        Optional<Condition> scheduled = member.getStatus() == null
                ? Optional.empty()
                : Conditions.find(member.getStatus().getConditions(), Conditions.POD_SCHEDULED);
        if (scheduled.isPresent()) {
            return Conditions.FALSE.equals(scheduled.get().getStatus())
                    && "Unschedulable".equals(scheduled.get().getReason());
        }
        String podName = Optional.ofNullable(member.getMetadata().getAnnotations())
                .map(a -> a.get(Labels.POD_NAME))
                .orElse(member.getMetadata().getName());
        Pod pod = client.pods()
                .inNamespace(member.getMetadata().getNamespace())
                .withName(podName)
                .get();
        return pod != null
                && pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "PodScheduled".equals(c.getType())
                                && "False".equals(c.getStatus())
                                && "Unschedulable".equals(c.getReason()));
    }

    /** Records the pool's held members now, announcing what changed. */
    void hold(SandboxWarmPool pool, String key, Set<String> heldNow) {
        Set<String> before = of(key);
        Set<String> added = new HashSet<>(heldNow);
        added.removeAll(before);
        if (!added.isEmpty()) {
            String message = "warm pool " + key + ": holding Unschedulable members "
                    + added.stream().sorted().toList() + " instead of replacing them";
            LOG.warn(message);
            events.warning(pool, NOT_PROGRESSING_EVENT, message);
        }
        if (!before.isEmpty() && heldNow.isEmpty()) {
            events.normal(pool, PROGRESSING_EVENT, "warm pool " + key + ": no member is held any more");
        }
        if (heldNow.isEmpty()) {
            held.remove(key);
        } else {
            held.put(key, Set.copyOf(heldNow));
        }
    }

    /** Forgets every pool's held members, as a process restart does. */
    void clear() {
        held.clear();
    }
}
