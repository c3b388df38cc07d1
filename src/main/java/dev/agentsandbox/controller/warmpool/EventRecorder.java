package dev.agentsandbox.controller.warmpool;

import java.time.Clock;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Writes core/v1 Events about pools and claims, as {@code kubectl describe} shows them. */
@Singleton
public class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    static final String COMPONENT = "agent-sandbox-controller";

    private final KubernetesClient client;
    private final Clock clock;

    @Inject
    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void normal(HasMetadata object, String reason, String message) {
        record(object, "Normal", reason, message);
    }

    public void warning(HasMetadata object, String reason, String message) {
        record(object, "Warning", reason, message);
    }

    private void record(HasMetadata object, String type, String reason, String message) {
        String namespace = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        if ("Warning".equals(type)) {
            LOG.warnf("%s %s/%s: %s: %s", object.getKind(), namespace, name, reason, message);
        } else {
            LOG.debugf("%s %s/%s: %s: %s", object.getKind(), namespace, name, reason, message);
        }
        String now = clock.instant().toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(name + "." + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace(namespace)
                    .endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(object.getApiVersion())
                    .withKind(object.getKind())
                    .withName(name)
                    .withNamespace(namespace)
                    .withUid(object.getMetadata().getUid())
                    .endInvolvedObject()
                    .withType(type)
                    .withReason(reason)
                    .withMessage(message)
                    .withCount(1)
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withNewSource(COMPONENT, null)
                    .build()).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy to the reader; losing one must not fail a reconcile.
            LOG.debugf("could not record event %s on %s/%s: %s", reason, namespace, name, e.getMessage());
        }
    }
}
