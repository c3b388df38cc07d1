package dev.agentsandbox.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LocalOptionsTest {

    @Test
    void theEmbeddedApiServerIsTheDefault() {
        LocalOptions options = LocalOptions.parse();
        assertThat(options.controlPlane()).isEqualTo(LocalOptions.EMBEDDED);
        assertThat(options.serve()).isFalse();
        assertThat(options.usageIfAsked()).isEmpty();
    }

    @Test
    void aRealControlPlaneIsChosenEitherWay() {
        assertThat(LocalOptions.parse("--serve", "--control-plane=kube").controlPlane())
                .isEqualTo(LocalOptions.KUBE);
        assertThat(LocalOptions.parse("--control-plane", "kube", "--serve")).satisfies(o -> {
            assertThat(o.controlPlane()).isEqualTo(LocalOptions.KUBE);
            assertThat(o.serve()).isTrue();
        });
    }

    @Test
    void anUnknownControlPlaneIsRefusedByName() {
        assertThatThrownBy(() -> LocalOptions.parse("--control-plane=kind"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"kind\"")
                .hasMessageContaining("embedded or kube");
    }

    @Test
    void helpListsTheControlPlaneOptionAndTheBuildScript() {
        assertThat(LocalOptions.parse("--help").usageIfAsked()).hasValueSatisfying(usage -> assertThat(usage)
                .contains("--control-plane=NAME", "embedded", "kube", "tools/kube/build.sh", "v1.36.3"));
    }
}
