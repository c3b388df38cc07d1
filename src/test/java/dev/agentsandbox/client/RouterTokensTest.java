package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.owner.Owner;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which router token an owner gets, and where an owner's own token is looked for. */
class RouterTokensTest {

    @Test
    void anOwnersOwnTokenWinsOverTheSharedOne() {
        RouterTokens tokens = RouterTokens.of(Map.of("alice", "a"), "shared");

        assertThat(tokens.forOwner(new Owner("alice"))).contains("a");
        assertThat(tokens.forOwner(new Owner("bob"))).contains("shared");
        assertThat(RouterTokens.none().forOwner(new Owner("bob"))).isEmpty();
    }

    @Test
    void anOwnersTokenVariableIsAnEnvironmentVariableName() {
        assertThat(RouterTokens.variableOf(new Owner("Alice_B.x"))).isEqualTo("ROUTER_TOKEN_ALICE_B_X");
    }
}
