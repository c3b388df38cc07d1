package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The owner-token Secret as the router reads it, and what the router answers before it has read it. */
class OwnerTokenStoreTest {

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
    void entriesThatAreNoOwnerOrNoHashAreIgnored() {
        try (OwnerTokenStore store = OwnerTokenStore.watch(fixture.client, "ops", "tokens")) {
            long before = store.version();
            store.load(secret(Map.of(
                    "alice", OwnerTokens.hash("sbx_alice"),
                    "a b", OwnerTokens.hash("sbx_not_an_owner"),
                    "bob", "sbx_a_raw_token_pasted_by_mistake")));

            assertThat(store.size()).isEqualTo(1);
            assertThat(store.ownerOf("sbx_alice")).isEqualTo("alice");
            assertThat(store.ownerOf("sbx_not_an_owner")).isNull();
            assertThat(store.version()).isGreaterThan(before);
        }
    }

    /** Until the Secret has been read, a token that matches nothing yet is not known to be wrong: 503, not 401. */
    @Test
    void beforeTheSecretIsLoadedAnUnknownTokenIs503NotUnauthorized() {
        OwnerTokenStore notStarted = OwnerTokenStore.watch(fixture.client, "ops", "not-read-yet");
        CallerAuthenticator authenticator = CallerAuthenticator.of(Optional.of("shared"), notStarted, false);
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

    /** A Secret whose data holds {@code values}, base64-encoded as the API server keeps them. */
    private static Secret secret(Map<String, String> values) {
        SecretBuilder secret =
                new SecretBuilder().withNewMetadata().withName("tokens").endMetadata();
        values.forEach((key, value) ->
                secret.addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.US_ASCII))));
        return secret.build();
    }
}
