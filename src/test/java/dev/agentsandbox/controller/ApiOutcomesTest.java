package dev.agentsandbox.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiOutcomesTest {

    private static KubernetesClientException refused(int code, String message) {
        return new KubernetesClientException(
                new StatusBuilder().withCode(code).withMessage(message).build());
    }

    @Test
    void aReasonCarriesTheCodeAndTheServersMessage() {
        assertThat(ApiOutcomes.reason(refused(409, "the object has been modified")))
                .isEqualTo("409 the object has been modified");
        assertThat(ApiOutcomes.reason(new KubernetesClientException("connection refused")))
                .isEqualTo("connection refused");
    }

    @Test
    void aCreateInANamespaceBeingDeletedIsToldApartFromOtherRefusals() {
        KubernetesClientException terminating = new KubernetesClientException(new StatusBuilder()
                .withCode(403)
                .withMessage("unable to create new content in namespace ns because it is being terminated")
                .withNewDetails()
                .addNewCause()
                .withReason("NamespaceTerminating")
                .withField("metadata.namespace")
                .endCause()
                .endDetails()
                .build());

        assertThat(ApiOutcomes.isNamespaceTerminating(terminating)).isTrue();
        assertThat(ApiOutcomes.isNamespaceTerminating(refused(403, "forbidden by RBAC")))
                .isFalse();
        assertThat(ApiOutcomes.isNamespaceTerminating(refused(404, "not found")))
                .isFalse();
    }

    @Test
    void aWriteOnAVanishedObjectIsEmptyAndOtherFailuresPropagate() {
        assertThat(ApiOutcomes.unlessGone(() -> {
                    throw refused(404, "not found");
                }))
                .isEmpty();
        assertThat(ApiOutcomes.unlessGone(() -> "written")).contains("written");
        assertThatThrownBy(() -> ApiOutcomes.unlessGone(() -> {
                    throw refused(403, "forbidden");
                }))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("forbidden");
    }

    @Test
    void conflictsAreRetriedUntilAnAttemptIsAccepted() {
        AtomicInteger attempts = new AtomicInteger();
        String written = ApiOutcomes.retryOnConflict(3, "claim ns/a", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw refused(409, "modified");
            }
            return "written";
        });
        assertThat(written).isEqualTo("written");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void theLastConflictIsAFailureNamingTheObjectAndOtherErrorsAreNotRetried() {
        assertThatThrownBy(() -> ApiOutcomes.retryOnConflict(2, "claim ns/a", () -> {
                    throw refused(409, "modified");
                }))
                .hasMessage("claim ns/a: not written after 2 conflicts");
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> ApiOutcomes.retryOnConflict(3, "claim ns/a", () -> {
                    attempts.incrementAndGet();
                    throw refused(500, "etcd timeout");
                }))
                .hasMessageContaining("etcd timeout");
        assertThat(attempts).hasValue(1);
    }
}
