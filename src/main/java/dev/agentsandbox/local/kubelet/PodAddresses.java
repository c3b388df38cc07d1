package dev.agentsandbox.local.kubelet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import org.jboss.logging.Logger;

/**
 * Hands out one loopback address per Pod, 127.0.1.1 upwards (never 127.0.0.x, which local mode's own listeners
 * use). Linux routes all of 127.0.0.0/8 to the loopback interface, so these addresses need no setup.
 *
 * <p>An address is skipped when one of the Pod's container ports is already taken there, by a process this
 * kubelet does not know about (left over from an earlier run, or anything else on the machine): a Pod given such
 * an address could never bind its port and would crash-loop.
 */
final class PodAddresses {

    private static final Logger LOG = Logger.getLogger(PodAddresses.class);
    private static final int FIRST = (127 << 24) | (1 << 8) | 1;
    private static final int LAST = (127 << 24) | (255 << 16) | (255 << 8) | 254;

    private final Map<String, Integer> byPod = new HashMap<>();
    private final Map<Integer, String> byAddress = new HashMap<>();
    private final BiPredicate<String, Integer> portFree;
    private int next = FIRST;

    PodAddresses() {
        this(PodAddresses::canBind);
    }

    PodAddresses(BiPredicate<String, Integer> portFree) {
        this.portFree = portFree;
    }

    /** An address for the Pod where every one of {@code ports} (its container ports) can be bound. */
    synchronized String assign(String podUid, Collection<Integer> ports) {
        Integer existing = byPod.get(podUid);
        if (existing != null) {
            return format(existing);
        }
        for (int tries = 0; tries < LAST - FIRST; tries++) {
            int candidate = next;
            next = next >= LAST ? FIRST : next + 1;
            int lastOctet = candidate & 0xff;
            if (lastOctet == 0 || lastOctet == 255 || byAddress.containsKey(candidate)) {
                continue;
            }
            String address = format(candidate);
            Integer taken = ports.stream()
                    .filter(port -> !portFree.test(address, port))
                    .findFirst()
                    .orElse(null);
            if (taken != null) {
                LOG.warnf(
                        "%s:%d is already in use by a process local mode did not start; skipping that address",
                        address, taken);
                continue;
            }
            byPod.put(podUid, candidate);
            byAddress.put(candidate, podUid);
            return address;
        }
        throw new IllegalStateException("no loopback address left for pod " + podUid);
    }

    synchronized void release(String podUid) {
        Integer a = byPod.remove(podUid);
        if (a != null) {
            byAddress.remove(a);
        }
    }

    /**
     * Whether a listener could bind {@code address:port} now. SO_REUSEADDR as the servers the kubelet starts use
     * it, so connections of an earlier process left in TIME_WAIT do not count as taken; a listening socket does.
     */
    static boolean canBind(String address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String format(int a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
