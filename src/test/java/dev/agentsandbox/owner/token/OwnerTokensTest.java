package dev.agentsandbox.owner.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Issuing, rotating and revoking owner tokens in the Secret, which only ever holds their hashes. */
@EnableKubernetesMockClient(crud = true)
class OwnerTokensTest {

    static KubernetesClient client;

    @Test
    void issueStoresOnlyTheHashAndRotationReplacesIt() {
        String first = OwnerTokens.issue(client, "ops", "tokens", "alice");
        String second = OwnerTokens.issue(client, "ops", "tokens", "alice");
        OwnerTokens.issue(client, "ops", "tokens", "bob");
        assertThat(first).startsWith("sbx_").hasSizeGreaterThan(40).isNotEqualTo(second);
        Secret secret = client.secrets().inNamespace("ops").withName("tokens").get();
        assertThat(secret.getData()).containsOnlyKeys("alice", "bob");
        String stored =
                new String(Base64.getDecoder().decode(secret.getData().get("alice")), StandardCharsets.US_ASCII);
        assertThat(stored).isEqualTo(OwnerTokens.hash(second)).hasSize(64).doesNotContain(second);
        assertThat(OwnerTokens.storedHash(secret.getData().get("alice"))).isEqualTo(stored);
        assertThat(OwnerTokens.revoke(client, "ops", "tokens", "alice")).isTrue();
        assertThat(OwnerTokens.revoke(client, "ops", "tokens", "alice")).isFalse();
        assertThat(client.secrets().inNamespace("ops").withName("tokens").get().getData())
                .containsOnlyKeys("bob");
    }

    @Test
    void onlyOwnersGetTokens() {
        assertThatThrownBy(() -> OwnerTokens.issue(client, "ops", "tokens", "alice/../admin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("owner \"alice/../admin\" is not valid");
        assertThatThrownBy(() -> OwnerTokens.revoke(client, "ops", "tokens", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void knownHashVector() {
        assertThat(OwnerTokens.hash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aStoredValueIsAHashOrNothing() {
        String hash = OwnerTokens.hash("abc");
        assertThat(OwnerTokens.storedHash(base64(" " + hash.toUpperCase() + "\n")))
                .isEqualTo(hash);
        assertThat(OwnerTokens.storedHash(base64("sbx_a_raw_token"))).isNull();
        assertThat(OwnerTokens.storedHash(base64(hash.substring(1) + "g"))).isNull();
        assertThat(OwnerTokens.storedHash("not base64!")).isNull();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
