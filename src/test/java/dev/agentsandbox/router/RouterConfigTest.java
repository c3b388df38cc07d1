package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The upstream environment names and the refusal to start open by accident. */
class RouterConfigTest {

    @Test
    void upstreamEnvironmentNamesAreHonoured() {
        RouterConfig config = RouterFixture.config(Map.of(
                "ROUTER_AUTH_TOKEN", "t0ken", "PROXY_TIMEOUT_SECONDS", "42", "ALLOW_UNAUTHENTICATED_ROUTER", "true"));
        assertThat(config.authToken()).contains("t0ken");
        assertThat(config.proxyTimeoutSeconds()).isEqualTo(42);
        assertThat(config.allowUnauthenticated()).isTrue();
    }

    @Test
    void defaultsFollowTheWireContract() {
        RouterConfig config = RouterFixture.config(Map.of());
        assertThat(config.authToken()).isEmpty();
        assertThat(config.proxyTimeoutSeconds()).isEqualTo(180);
        assertThat(config.allowUnauthenticated()).isFalse();
        assertThat(config.ownerTokens().enabled()).isFalse();
        assertThat(config.ownerTokens().secretName()).isEqualTo("sandbox-router-owner-tokens");
        assertThat(config.ownerTokens().secretNamespace()).isEqualTo("agent-sandbox-system");
        assertThat(config.namespaces()).isEmpty();
    }

    @Test
    void refusesToStartWithoutAuthenticationUnlessAllowed() {
        assertThatThrownBy(() -> CallerAuthenticator.of(Optional.empty(), null, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ROUTER_AUTH_TOKEN")
                .hasMessageContaining("ALLOW_UNAUTHENTICATED_ROUTER=true");
        assertThatThrownBy(() -> CallerAuthenticator.of(Optional.of("  "), null, false))
                .isInstanceOf(IllegalStateException.class);
        assertThat(CallerAuthenticator.of(Optional.empty(), null, true).authenticate(null))
                .isEqualTo(Caller.UNBOUND);
    }

    @Test
    void timeoutHeaderIsCappedAtTheProxyTimeout() {
        RoutingHeaders headers = new RoutingHeaders(1000);
        io.vertx.core.MultiMap map = io.vertx.core.MultiMap.caseInsensitiveMultiMap()
                .add("X-Sandbox-ID", "a")
                .add("X-Sandbox-Timeout", "100");
        assertThat(headers.parse(map).timeoutMillis()).isEqualTo(1000);
        assertThat(headers.parse(map.set("X-Sandbox-Timeout", "0.25")).timeoutMillis())
                .isEqualTo(250);
        SandboxAddress defaults =
                headers.parse(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("X-Sandbox-ID", "a"));
        assertThat(defaults).isEqualTo(new SandboxAddress("default", "a", 8888, null, 1000));
    }
}
