package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.IdleAnnotations.IdleAction;
import dev.agentsandbox.api.IdleAnnotations.Parsed;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;

/**
 * A claim's idle policy (docs/idle.md): the template's idle annotations, each overridden by the claim's own. Without
 * an idle timeout on either there is none; a value that cannot be read makes the policy {@link Invalid}, which is
 * reported and never acted on.
 */
sealed interface IdlePolicy {

    /** Neither the claim nor its template sets an idle timeout. */
    record None() implements IdlePolicy {}

    /** A sandbox idle for longer than {@code timeout} gets {@code action}. */
    record Active(Duration timeout, IdleAction action) implements IdlePolicy {

        /** What the policy does, for conditions and Events: "Suspend after 15m0s without requests". */
        String describe() {
            return action.value() + " after " + human(timeout) + " without requests";
        }
    }

    /** {@code source} (the claim or its template) carries {@code annotation} with a value that is not valid. */
    record Invalid(HasMetadata source, String annotation, String value, String problem) implements IdlePolicy {

        /** Names the object, the annotation, the value (inside {@code problem}) and that nothing is done. */
        String message() {
            return source.getKind() + " " + ObjectKey.of(source) + ": annotation " + annotation + ": " + problem
                    + "; the idle policy is not applied";
        }
    }

    /** The policy of {@code claim}, whose Sandbox was built from {@code template} (null when it is not known). */
    static IdlePolicy of(SandboxClaim claim, SandboxTemplate template) {
        HasMetadata timeoutSource = sourceOf(IdleAnnotations.IDLE_TIMEOUT, claim, template);
        if (timeoutSource == null) {
            return new None();
        }
        String timeoutText = ClaimAnnotations.get(timeoutSource, IdleAnnotations.IDLE_TIMEOUT);
        Parsed<Duration> timeout = IdleAnnotations.timeout(timeoutText);
        if (!timeout.valid()) {
            return new Invalid(timeoutSource, IdleAnnotations.IDLE_TIMEOUT, timeoutText, timeout.problem());
        }
        HasMetadata actionSource = sourceOf(IdleAnnotations.IDLE_ACTION, claim, template);
        if (actionSource == null) {
            return new Active(timeout.value(), IdleAction.SUSPEND);
        }
        String actionText = ClaimAnnotations.get(actionSource, IdleAnnotations.IDLE_ACTION);
        Parsed<IdleAction> action = IdleAnnotations.action(actionText);
        if (!action.valid()) {
            return new Invalid(actionSource, IdleAnnotations.IDLE_ACTION, actionText, action.problem());
        }
        return new Active(timeout.value(), action.value());
    }

    /** The object whose value of {@code key} counts: the claim's when it has one, else the template's, else null. */
    private static HasMetadata sourceOf(String key, SandboxClaim claim, SandboxTemplate template) {
        if (ClaimAnnotations.get(claim, key) != null) {
            return claim;
        }
        return template != null && ClaimAnnotations.get(template, key) != null ? template : null;
    }

    /** "15m0s" rather than "PT15M": the way users write the annotation. */
    private static String human(Duration d) {
        StringBuilder s = new StringBuilder();
        if (d.toHours() > 0) {
            s.append(d.toHours()).append('h');
        }
        if (d.toHours() > 0 || d.toMinutesPart() > 0) {
            s.append(d.toMinutesPart()).append('m');
        }
        s.append(d.toSecondsPart());
        if (d.toMillisPart() > 0) {
            s.append('.').append(String.format("%03d", d.toMillisPart()));
        }
        return s.append('s').toString();
    }
}
