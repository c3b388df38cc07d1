package dev.agentsandbox.local.kubelet;

import java.util.HashMap;
import java.util.Map;

/**
 * Hands out one loopback address per Pod, 127.0.1.1 upwards (never 127.0.0.x, which local mode's own listeners
 * use). Linux routes all of 127.0.0.0/8 to the loopback interface, so these addresses need no setup.
 */
final class PodAddresses {

    private static final int FIRST = (127 << 24) | (1 << 8) | 1;
    private static final int LAST = (127 << 24) | (255 << 16) | (255 << 8) | 254;

    private final Map<String, Integer> byPod = new HashMap<>();
    private final Map<Integer, String> byAddress = new HashMap<>();
    private int next = FIRST;

    synchronized String assign(String podUid) {
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
            byPod.put(podUid, candidate);
            byAddress.put(candidate, podUid);
            return format(candidate);
        }
        throw new IllegalStateException("no loopback address left for pod " + podUid);
    }

    synchronized void release(String podUid) {
        Integer a = byPod.remove(podUid);
        if (a != null) {
            byAddress.remove(a);
        }
    }

    private static String format(int a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
