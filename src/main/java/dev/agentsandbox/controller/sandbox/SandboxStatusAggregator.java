package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a reconcile saw into the Sandbox's status: Ready (authoritative), Suspended, Finished and PodScheduled,
 * with the reasons of the upstream API, plus service, selector, podIPs and nodeName.
 * <p>
 * Suspended appears once a Sandbox has been suspended (absent on a Sandbox that never was); Finished only while the
 * Pod has Succeeded or Failed (kept when the Pod is then removed, so the outcome stays visible); PodScheduled mirrors
 * the Pod's own condition and disappears with the Pod.
 */
public final class SandboxStatusAggregator {

    private SandboxStatusAggregator() {}

    public static SandboxStatus aggregate(Sandbox sandbox, SandboxState state, Instant now, String clusterDomain) {
        SandboxStatus previous = sandbox.getStatus() == null ? new SandboxStatus() : sandbox.getStatus();
        Long generation = sandbox.getMetadata().getGeneration();
        List<Condition> conditions = previous.getConditions();

        Pod pod = state.multiplePods() ? null : state.pod();
        SandboxStatus status = new SandboxStatus();
        status.setSelector(Labels.SANDBOX_NAME_HASH + "=" + SandboxPods.nameHash(sandbox));
        if (pod != null) {
            List<String> ips = SandboxPods.ips(pod);
            status.setPodIPs(ips.isEmpty() ? null : ips);
            status.setNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        }
        if (state.service() != null) {
            String name = state.service().getMetadata().getName();
            status.setService(name);
            status.setServiceFQDN(name + "." + sandbox.getMetadata().getNamespace() + ".svc." + clusterDomain);
        }

        Verdict ready = ready(sandbox, state, pod);
        conditions = Conditions.with(
                conditions, Conditions.READY, ready.status, ready.reason, ready.message, generation, now);
        conditions = suspended(conditions, sandbox, state, pod, generation, now);
        conditions = finished(conditions, pod, generation, now);
        conditions = scheduled(conditions, pod, generation, now);
        status.setConditions(conditions);
        return status;
    }

    /**
     * The status after a failed pass: the previous one with {@code Ready=False/ReconcilerError} and the failure's
     * message. Every failure maps to that one reason; the message is that of the cause we raised (the operator SDK
     * wraps it), else of the innermost cause.
     */
    public static SandboxStatus failed(Sandbox sandbox, Throwable failure, Instant now) {
        SandboxStatus status =
                sandbox.getStatus() == null ? new SandboxStatus() : Serialization.clone(sandbox.getStatus());
        status.setSelector(Labels.SANDBOX_NAME_HASH + "=" + SandboxPods.nameHash(sandbox));
        status.setConditions(Conditions.with(
                status.getConditions(),
                Conditions.READY,
                false,
                Conditions.RECONCILER_ERROR,
                failureMessage(failure),
                sandbox.getMetadata().getGeneration(),
                now));
        return status;
    }

    static String failureMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null
                && !(t instanceof SandboxConflict)
                && !(t instanceof SandboxApiException)
                && !(t instanceof InvalidSandboxSpec)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** A condition's status, reason and message. */
    private record Verdict(boolean status, String reason, String message) {}

    private static Verdict ready(Sandbox sandbox, SandboxState state, Pod pod) {
        String podName =
                pod == null ? SandboxPods.podName(sandbox) : pod.getMetadata().getName();
        if (state.expired()) {
            return new Verdict(
                    false,
                    Conditions.SANDBOX_EXPIRED,
                    "Sandbox expired at " + sandbox.getSpec().getShutdownTime() + "; its Pod and Service were deleted");
        }
        if (state.multiplePods()) {
            return new Verdict(
                    false,
                    Conditions.MULTIPLE_PODS,
                    state.ownedPods().size()
                            + " Pods are controlled by this Sandbox " + state.ownedPods()
                            + "; refusing to choose or create one");
        }
        if (state.refusal() != null) {
            return new Verdict(false, Conditions.RECONCILER_ERROR, state.refusal());
        }
        if (state.suspended()) {
            return new Verdict(false, Conditions.SANDBOX_SUSPENDED, "operatingMode is Suspended");
        }
        if (pod != null && "Succeeded".equals(SandboxPods.phase(pod))) {
            return new Verdict(false, Conditions.POD_SUCCEEDED, "Pod " + podName + " has Succeeded");
        }
        if (pod != null && "Failed".equals(SandboxPods.phase(pod))) {
            return new Verdict(false, Conditions.POD_FAILED, "Pod " + podName + " has Failed");
        }
        return dependencies(sandbox, state, pod, podName);
    }

    /** Ready while running: the Pod is Ready and, when required, the Service exists. */
    private static Verdict dependencies(Sandbox sandbox, SandboxState state, Pod pod, String podName) {
        String podProblem = podProblem(pod, podName);
        String serviceProblem = state.serviceRequired() && state.service() == null
                ? "Service " + SandboxService.name(sandbox) + " does not exist yet"
                : null;
        if (podProblem == null && serviceProblem == null) {
            return new Verdict(
                    true,
                    Conditions.DEPENDENCIES_READY,
                    "Pod " + podName + " is Ready"
                            + (state.service() != null
                                    ? "; Service "
                                            + state.service().getMetadata().getName() + " exists"
                                    : ""));
        }
        String message = podProblem == null
                ? serviceProblem
                : serviceProblem == null ? podProblem : podProblem + "; " + serviceProblem;
        return new Verdict(false, Conditions.DEPENDENCIES_NOT_READY, message);
    }

    private static String podProblem(Pod pod, String podName) {
        if (pod == null) {
            return "Pod " + podName + " does not exist yet";
        }
        if (SandboxPods.isTerminating(pod)) {
            return "Pod " + podName + " is terminating";
        }
        if (SandboxPods.isReady(pod)) {
            return null;
        }
        Optional<PodCondition> scheduled = SandboxPods.condition(pod, "PodScheduled");
        if (scheduled.isPresent() && !"True".equals(scheduled.get().getStatus())) {
            return "Pod " + podName + " is not scheduled" + reasonSuffix(scheduled.get());
        }
        String phase = SandboxPods.phase(pod);
        if (!"Running".equals(phase)) {
            return "Pod " + podName + " is " + (phase == null ? "Pending" : phase);
        }
        if (SandboxPods.ips(pod).isEmpty()) {
            return "Pod " + podName + " has no IP yet";
        }
        return "Pod " + podName + " is not Ready"
                + SandboxPods.condition(pod, "Ready")
                        .map(SandboxStatusAggregator::reasonSuffix)
                        .orElse("");
    }

    private static String reasonSuffix(PodCondition c) {
        String reason = c.getReason() == null ? "" : c.getReason();
        String message = c.getMessage() == null ? "" : c.getMessage();
        if (reason.isEmpty() && message.isEmpty()) {
            return "";
        }
        return " (" + reason + (reason.isEmpty() || message.isEmpty() ? "" : ": ") + message + ")";
    }

    private static List<Condition> suspended(
            List<Condition> conditions, Sandbox sandbox, SandboxState state, Pod pod, Long generation, Instant now) {
        if (!state.suspended()
                && Conditions.find(conditions, Conditions.SUSPENDED).isEmpty()) {
            return conditions; // never suspended: no Suspended condition at all
        }
        Verdict suspended = suspension(sandbox, state, pod);
        return Conditions.with(
                conditions,
                Conditions.SUSPENDED,
                suspended.status(),
                suspended.reason(),
                suspended.message(),
                generation,
                now);
    }

    private static Verdict suspension(Sandbox sandbox, SandboxState state, Pod pod) {
        if (!state.suspended()) {
            return new Verdict(false, Conditions.NOT_SUSPENDED, "operatingMode is Running");
        }
        if (pod != null) {
            return new Verdict(
                    false,
                    Conditions.POD_TERMINATING,
                    "Pod " + pod.getMetadata().getName() + " is being deleted");
        }
        if (state.unownedPod() != null) {
            return new Verdict(
                    false,
                    Conditions.POD_NOT_OWNED,
                    "Pod " + state.unownedPod().getMetadata().getName() + " is controlled by "
                            + Ownership.describeController(state.unownedPod()) + ", not by this Sandbox; left running");
        }
        return new Verdict(
                true,
                Conditions.POD_TERMINATED,
                "Pod " + SandboxPods.podName(sandbox) + " is deleted; Service and volumes are kept");
    }

    private static List<Condition> finished(List<Condition> conditions, Pod pod, Long generation, Instant now) {
        if (pod == null) {
            return conditions;
        }
        String phase = SandboxPods.phase(pod);
        if ("Succeeded".equals(phase)) {
            return Conditions.with(
                    conditions,
                    Conditions.FINISHED,
                    true,
                    Conditions.POD_SUCCEEDED,
                    "Pod " + pod.getMetadata().getName() + " has Succeeded",
                    generation,
                    now);
        }
        if ("Failed".equals(phase)) {
            return Conditions.with(
                    conditions,
                    Conditions.FINISHED,
                    true,
                    Conditions.POD_FAILED,
                    "Pod " + pod.getMetadata().getName() + " has Failed",
                    generation,
                    now);
        }
        return Conditions.without(conditions, Conditions.FINISHED);
    }

    private static List<Condition> scheduled(List<Condition> conditions, Pod pod, Long generation, Instant now) {
        Optional<PodCondition> mirrored = pod == null ? Optional.empty() : SandboxPods.condition(pod, "PodScheduled");
        if (mirrored.isEmpty()) {
            return Conditions.without(conditions, Conditions.POD_SCHEDULED);
        }
        PodCondition c = mirrored.get();
        boolean status = "True".equals(c.getStatus());
        String reason = c.getReason() != null && !c.getReason().isBlank()
                ? c.getReason()
                : status ? "Scheduled" : "NotScheduled";
        return Conditions.with(conditions, Conditions.POD_SCHEDULED, status, reason, c.getMessage(), generation, now);
    }
}
