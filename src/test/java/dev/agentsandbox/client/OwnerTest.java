package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Owner names, the names derived from them, and which token an owner gets. */
class OwnerTest {

    @Test
    void namesDerivedFromAnOwnerAreValidAndDistinct() {
        Owner alice = new Owner("Alice_B.x");

        assertThat(alice.claimPrefix()).isEqualTo("alice-b-x");
        assertThat(alice.keptClaimName()).matches("alice-b-x-[0-9a-f]{8}");
        assertThat(alice.keptClaimName()).isNotEqualTo(new Owner("alice-b-x").keptClaimName());
        assertThat(alice.tokenVariable()).isEqualTo("ROUTER_TOKEN_ALICE_B_X");
    }

    @Test
    void rejectsNamesThatCannotBeALabelValue() {
        assertThatThrownBy(() -> new Owner("-alice")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Owner("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Owner("x".repeat(64))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOwnersOwnTokenWinsOverTheSharedOne() {
        RouterTokens tokens = RouterTokens.of(Map.of("alice", "a"), "shared");

        assertThat(tokens.forOwner(new Owner("alice"))).contains("a");
        assertThat(tokens.forOwner(new Owner("bob"))).contains("shared");
        assertThat(RouterTokens.none().forOwner(new Owner("bob"))).isEmpty();
    }
}
