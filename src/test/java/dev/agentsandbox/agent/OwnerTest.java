package dev.agentsandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OwnerTest {

    @Test
    void missingOrEmptyHeaderIsAnonymous() {
        assertThat(Owner.fromHeader(null)).isEqualTo(Owner.ANONYMOUS);
        assertThat(Owner.fromHeader("")).isEqualTo(Owner.ANONYMOUS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "A", "bob.smith", "user_1", "x-y-z", "0"})
    void labelValuesAreOwners(String value) {
        assertThat(Owner.fromHeader(value).name()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-alice", "alice-", ".x", "x.", "a b", "a/b", "../etc", "ä", "a\nb"})
    void otherValuesAreRefusedWith400(String value) {
        assertThatThrownBy(() -> Owner.fromHeader(value)).isInstanceOfSatisfying(AgentFailure.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.detail()).contains("X-Owner").doesNotContain("\n");
        });
    }

    @Test
    void atMostSixtyThreeCharacters() {
        assertThat(Owner.fromHeader("a".repeat(63)).name()).hasSize(63);
        assertThatThrownBy(() -> Owner.fromHeader("a".repeat(64))).hasMessageContaining("64 characters, at most 63");
    }
}
