package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;

/** What a client connection remembers of its last authentication, and when it must not be used. */
class ClientConnectionTest {

    final ClientConnection connection = new ClientConnection(SocketAddress.inetSocketAddress(40000, "127.0.0.9"));
    final Caller alice = new Caller("alice");

    @Test
    void theSameValueUnderTheSameVersionIsRemembered() {
        connection.remember("Bearer sbx_a", alice, 3);
        assertThat(connection.rememberedCaller("Bearer sbx_a", 3)).isSameAs(alice);
        assertThat(connection.remoteHost()).isEqualTo("127.0.0.9");
    }

    @Test
    void anotherValueALongerOneOrANewVersionIsCheckedAgain() {
        connection.remember("Bearer sbx_a", alice, 3);
        assertThat(connection.rememberedCaller("Bearer sbx_b", 3)).isNull();
        assertThat(connection.rememberedCaller("Bearer sbx_a ", 3)).isNull();
        assertThat(connection.rememberedCaller("Bearer sbx_", 3)).isNull();
        assertThat(connection.rememberedCaller(null, 3)).isNull();
        assertThat(connection.rememberedCaller("Bearer sbx_a", 4)).isNull();
    }

    @Test
    void nothingIsRememberedBeforeASuccess() {
        assertThat(connection.rememberedCaller("Bearer sbx_a", 0)).isNull();
    }

    @Test
    void sameTextComparesEveryCharacter() {
        assertThat(ClientConnection.sameText("abc", "abc")).isTrue();
        assertThat(ClientConnection.sameText("abc", "abd")).isFalse();
        assertThat(ClientConnection.sameText("xbc", "abc")).isFalse();
        assertThat(ClientConnection.sameText("abc", "abcd")).isFalse();
        assertThat(ClientConnection.sameText("", "")).isTrue();
    }
}
