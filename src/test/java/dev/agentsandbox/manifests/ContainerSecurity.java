package dev.agentsandbox.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The hardening every generated and example container must have, checked on a pod spec. */
public final class ContainerSecurity {

    private ContainerSecurity() {}

    /**
     * Non-root uid 1000, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault, read-only root
     * filesystem, requests and limits for CPU and memory, liveness and readiness probes.
     */
    public static void assertHardened(String owner, PodSpec pod) {
        List<Container> containers = new ArrayList<>(pod.getContainers());
        containers.addAll(pod.getInitContainers());
        assertThat(containers).as("%s: containers", owner).isNotEmpty();
        PodSecurityContext podContext =
                Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);
        for (Container c : containers) {
            String what = owner + " container " + c.getName();
            SecurityContext sc = c.getSecurityContext();
            assertThat(sc).as("%s: securityContext", what).isNotNull();
            assertThat(effective(sc, podContext, SecurityContext::getRunAsNonRoot, PodSecurityContext::getRunAsNonRoot))
                    .as("%s: runAsNonRoot", what)
                    .isTrue();
            assertThat(effective(sc, podContext, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser))
                    .as("%s: runAsUser", what)
                    .isEqualTo(1000L);
            assertThat(sc.getAllowPrivilegeEscalation())
                    .as("%s: allowPrivilegeEscalation", what)
                    .isFalse();
            assertThat(sc.getCapabilities()).as("%s: capabilities", what).isNotNull();
            assertThat(sc.getCapabilities().getDrop())
                    .as("%s: capabilities.drop", what)
                    .contains("ALL");
            assertThat(sc.getCapabilities().getAdd())
                    .as("%s: capabilities.add", what)
                    .isNullOrEmpty();
            assertThat(sc.getPrivileged()).as("%s: privileged", what).isNotEqualTo(Boolean.TRUE);
            String seccomp = sc.getSeccompProfile() != null
                    ? sc.getSeccompProfile().getType()
                    : podContext.getSeccompProfile() != null
                            ? podContext.getSeccompProfile().getType()
                            : null;
            assertThat(seccomp).as("%s: seccompProfile", what).isEqualTo("RuntimeDefault");
            assertThat(sc.getReadOnlyRootFilesystem())
                    .as("%s: readOnlyRootFilesystem", what)
                    .isTrue();
            assertThat(c.getResources()).as("%s: resources", what).isNotNull();
            assertThat(c.getResources().getRequests()).as("%s: requests", what).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as("%s: limits", what).containsKeys("cpu", "memory");
            assertThat(c.getLivenessProbe()).as("%s: livenessProbe", what).isNotNull();
            assertThat(c.getReadinessProbe()).as("%s: readinessProbe", what).isNotNull();
        }
    }

    private static <T> T effective(
            SecurityContext container,
            PodSecurityContext pod,
            Function<SecurityContext, T> own,
            Function<PodSecurityContext, T> inherited) {
        T value = own.apply(container);
        return value != null ? value : inherited.apply(pod);
    }
}
