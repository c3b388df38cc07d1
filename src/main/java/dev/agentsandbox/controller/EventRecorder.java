package dev.agentsandbox.controller;

import dev.agentsandbox.api.Conditions;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Writes core/v1 Events about the objects the controllers manage, as {@code kubectl describe} shows them. An Event
 * that cannot be written is logged and dropped: events are advice, never a reason to fail a reconcile.
 *
 * <p>Events are written in the background, as client-go's event recorder does: a reconcile hands the Event over and
 * goes on, so an Event is never one of the writes on the way to a Sandbox's or a claim's Ready (on a real API server
 * a write costs milliseconds; docs/benchmarks.md, "Controllers on a real API server"). The Event's content and time
 * are taken when it is recorded. The queue is bounded: under a flood, Events beyond it are dropped with a warning.
 */
@ApplicationScoped
public class EventRecorder {

    /** The reporting component named in every Event. */
    public static final String COMPONENT = "agent-sandbox-controller";

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    @Inject
    KubernetesClient client;

    @Inject
    Clock clock;

    /**
     * Enough writers to keep up with a burst of hundreds of claims (the API server's fairness queues do the rest),
     * each Event written a moment after it was recorded, so not in competition with the recording reconcile's writes.
     */
    private final DeferredWrites writers = new DeferredWrites("event-writer", 4, 10_000);

    public void normal(HasMetadata object, String reason, String message) {
        record(object, "Normal", reason, message);
    }

    public void warning(HasMetadata object, String reason, String message) {
        record(object, "Warning", reason, message);
    }

    private void record(HasMetadata object, String type, String reason, String message) {
        String namespace = object.getMetadata().getNamespace();
        // Callers log what an operator must see; every Event is traced at debug level with the object's names.
        LOG.debugf(
                "%s event on %s %s/%s: %s: %s",
                type, object.getKind(), namespace, object.getMetadata().getName(), reason, message);
        String now = Conditions.timestamp(clock.instant());
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(object.getMetadata().getName() + "."
                        + UUID.randomUUID()
                                .toString()
                                .replace("-", "")
                                .substring(0, 16)
                                .toLowerCase(Locale.ROOT))
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(object.getApiVersion())
                        .withKind(object.getKind())
                        .withName(object.getMetadata().getName())
                        .withNamespace(namespace)
                        .withUid(object.getMetadata().getUid())
                        .withResourceVersion(object.getMetadata().getResourceVersion())
                        .build())
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .build();
        writers.submit(() -> write(event, object));
    }

    private void write(Event event, HasMetadata object) {
        try {
            client.v1()
                    .events()
                    .inNamespace(event.getMetadata().getNamespace())
                    .resource(event)
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "could not record %s event %s on %s %s/%s: %s",
                    event.getType(),
                    event.getReason(),
                    object.getKind(),
                    event.getMetadata().getNamespace(),
                    object.getMetadata().getName(),
                    e.getMessage());
        }
    }

    /** Writes what is queued before the application stops (for at most two seconds). */
    @PreDestroy
    void drain() throws InterruptedException {
        writers.drain(Duration.ofSeconds(2));
    }
}
