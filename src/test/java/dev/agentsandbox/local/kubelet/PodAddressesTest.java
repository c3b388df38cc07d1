package dev.agentsandbox.local.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodAddressesTest {

    @Test
    void eachPodGetsItsOwnLoopbackAddressUntilReleased() {
        PodAddresses addresses = new PodAddresses((a, p) -> true);

        String a = addresses.assign("a", Set.of(8080));
        String b = addresses.assign("b", Set.of(8080));

        assertThat(a).isEqualTo("127.0.1.1");
        assertThat(b).isEqualTo("127.0.1.2");
        assertThat(addresses.assign("a", Set.of(8080))).as("stable per pod").isEqualTo(a);
        addresses.release("a");
        assertThat(addresses.assign("c", Set.of(8080))).isEqualTo("127.0.1.3");
    }

    @Test
    void anAddressWhereAnotherProcessListensOnTheContainerPortIsSkipped() throws Exception {
        // What broke a demo run: an agent left over from an earlier run still listened on 127.0.1.1:8080, the
        // kubelet gave that address to a new Pod, and the Pod crash-looped on bind for ever.
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.1.1"), 0));
            int port = squatter.getLocalPort();
            PodAddresses addresses = new PodAddresses();

            String given = addresses.assign("pod", List.of(port));

            assertThat(given).isEqualTo("127.0.1.2");
            assertThat(PodAddresses.canBind(given, port)).isTrue();
        }
    }

    @Test
    void aPortFreeAtTheAddressIsNotTakenByAListenerOnAnotherLoopbackAddress() throws Exception {
        try (ServerSocket elsewhere = new ServerSocket()) {
            elsewhere.bind(new InetSocketAddress(InetAddress.getByName("127.0.1.7"), 0));

            assertThat(PodAddresses.canBind("127.0.1.1", elsewhere.getLocalPort()))
                    .isTrue();
            assertThat(PodAddresses.canBind("127.0.1.7", elsewhere.getLocalPort()))
                    .isFalse();
        }
    }
}
