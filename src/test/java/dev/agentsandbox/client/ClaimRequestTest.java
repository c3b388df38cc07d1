package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.owner.Owner;
import org.junit.jupiter.api.Test;

/** The names of an owner's claims. */
class ClaimRequestTest {

    @Test
    void claimNamesAreDnsSafeAndKeepOwnersApart() {
        Owner alice = new Owner("Alice_B.x");

        assertThat(ClaimRequest.namePrefix(alice)).isEqualTo("alice-b-x");
        assertThat(ClaimRequest.keptName(alice)).matches("alice-b-x-[0-9a-f]{8}");
        assertThat(ClaimRequest.keptName(alice)).isNotEqualTo(ClaimRequest.keptName(new Owner("alice-b-x")));
        assertThat(ClaimRequest.oneShotName(alice)).matches("alice-b-x-[b-z2-9]{5}");
    }
}
