package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

class HeaderNamesTest {

    @Test
    void knownNamesAreFoundInAnyCase() {
        assertThat(HeaderNames.kind("X-Sandbox-ID")).isEqualTo(HeaderNames.SANDBOX_ID);
        assertThat(HeaderNames.kind("x-sandbox-id")).isEqualTo(HeaderNames.SANDBOX_ID);
        assertThat(HeaderNames.kind("X-SANDBOX-NAMESPACE")).isEqualTo(HeaderNames.SANDBOX_NAMESPACE);
        assertThat(HeaderNames.kind("x-sandbox-pod-ip")).isEqualTo(HeaderNames.SANDBOX_POD_IP);
        assertThat(HeaderNames.kind("authorization")).isEqualTo(HeaderNames.AUTHORIZATION);
        assertThat(HeaderNames.kind("connection")).isEqualTo(HeaderNames.CONNECTION);
        assertThat(HeaderNames.kind("te")).isEqualTo(HeaderNames.HOP_BY_HOP);
        assertThat(HeaderNames.kind("Transfer-Encoding")).isEqualTo(HeaderNames.HOP_BY_HOP);
        assertThat(HeaderNames.kind("x-owner")).isEqualTo(HeaderNames.X_OWNER);
        assertThat(HeaderNames.kind("FORWARDED")).isEqualTo(HeaderNames.CLIENT_IDENTITY);
        assertThat(HeaderNames.kind("sec-websocket-key")).isEqualTo(HeaderNames.WEBSOCKET_HANDSHAKE);
        assertThat(HeaderNames.kind("x-sandbox-woken")).isEqualTo(HeaderNames.SANDBOX_WOKEN);
    }

    @Test
    void aSandboxsOwnWokenHeaderIsNotPassedToTheClient() {
        MultiMap fromSandbox = MultiMap.caseInsensitiveMultiMap()
                .add("x-sandbox-woken", "true")
                .add("Content-Type", "application/json");
        MultiMap toClient = MultiMap.caseInsensitiveMultiMap();

        ForwardedHeaders.toClient(fromSandbox, toClient);

        assertThat(toClient.names()).containsExactly("Content-Type");
    }

    @Test
    void lookalikesAndOtherNamesAreForwardedAsTheyAre() {
        for (String name : new String[] {
            "",
            "X",
            "X-Sandbox-IDs",
            "X-Sandbox-I",
            "X-Sandbox_ID",
            "Hosts",
            "Hos",
            "Accept",
            "Content-Type",
            "X-Forwarded-Fox",
            "Authorisation",
            "Upgrade-Insecure-Requests",
            "a".repeat(200)
        }) {
            assertThat(HeaderNames.kind(name)).as(name).isEqualTo(HeaderNames.OTHER);
        }
    }
}
