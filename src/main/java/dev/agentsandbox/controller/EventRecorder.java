package dev.agentsandbox.controller;

import dev.agentsandbox.api.Conditions;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Locale;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Writes core/v1 Events about the objects the controllers manage, as {@code kubectl describe} shows them. An Event
 * that cannot be written is logged and dropped: events are advice, never a reason to fail a reconcile.
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
        try {
            client.v1()
                    .events()
                    .inNamespace(namespace)
                    .resource(new EventBuilder()
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
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "could not record %s event %s on %s %s/%s: %s",
                    type,
                    reason,
                    object.getKind(),
                    namespace,
                    object.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
