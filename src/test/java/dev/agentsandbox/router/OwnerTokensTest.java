package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issuing, rotating and revoking owner tokens in the Secret, which only ever holds their hashes. */
class OwnerTokensTest {

    static RouterFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new RouterFixture(Map.of("sandbox.router.allow-unauthenticated", "true"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void issueStoresOnlyTheHashAndRotationReplacesIt() {
        String first = OwnerTokens.issue(fixture.client, "ops", "tokens", "alice");
        String second = OwnerTokens.issue(fixture.client, "ops", "tokens", "alice");
        OwnerTokens.issue(fixture.client, "ops", "tokens", "bob");
        assertThat(first).startsWith("sbx_").hasSizeGreaterThan(40).isNotEqualTo(second);
        Secret secret =
                fixture.client.secrets().inNamespace("ops").withName("tokens").get();
        assertThat(secret.getData()).containsOnlyKeys("alice", "bob");
        String stored =
                new String(Base64.getDecoder().decode(secret.getData().get("alice")), StandardCharsets.US_ASCII);
        assertThat(stored).isEqualTo(OwnerTokens.hash(second)).hasSize(64).doesNotContain(second);
        assertThat(OwnerTokens.revoke(fixture.client, "ops", "tokens", "alice")).isTrue();
        assertThat(OwnerTokens.revoke(fixture.client, "ops", "tokens", "alice")).isFalse();
        assertThat(fixture.client
                        .secrets()
                        .inNamespace("ops")
                        .withName("tokens")
                        .get()
                        .getData())
                .containsOnlyKeys("bob");
    }

    @Test
    void ownersMustBeLabelValues() {
        assertThatThrownBy(() -> OwnerTokens.issue(fixture.client, "ops", "tokens", "alice/../admin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid label value");
        assertThat(OwnerTokens.isValidOwner("Alice.Smith_2")).isTrue();
        assertThat(OwnerTokens.isValidOwner("-alice")).isFalse();
        assertThat(OwnerTokens.isValidOwner("a".repeat(64))).isFalse();
    }

    @Test
    void knownHashVector() {
        assertThat(OwnerTokens.hash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    /** Until the Secret has been read, a token that matches nothing yet is not known to be wrong: 503, not 401. */
    @Test
    void beforeTheSecretIsLoadedAnUnknownTokenIs503NotUnauthorized() {
        OwnerTokenStore notStarted = OwnerTokenStore.watch(fixture.client, "ops", "not-read-yet");
        CallerAuthenticator authenticator = CallerAuthenticator.of(java.util.Optional.of("shared"), notStarted, false);
        assertThatThrownBy(() -> authenticator.authenticate("Bearer sbx_somebodys_token"))
                .isInstanceOfSatisfying(RouteRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(r.retryAfterSeconds()).isEqualTo(1);
                    assertThat(r.detail()).isEqualTo("The router is still loading owner tokens; retry shortly.");
                });
        // the shared token needs no Secret, and a missing or malformed header is wrong whatever the Secret holds
        assertThat(authenticator.authenticate("Bearer shared")).isEqualTo(Caller.UNBOUND);
        assertThatThrownBy(() -> authenticator.authenticate(null))
                .isInstanceOfSatisfying(
                        RouteRejection.class, r -> assertThat(r.status()).isEqualTo(401));
        assertThatThrownBy(() -> authenticator.authenticate("Basic abc"))
                .isInstanceOfSatisfying(
                        RouteRejection.class, r -> assertThat(r.status()).isEqualTo(401));
        notStarted.close();
    }
}
