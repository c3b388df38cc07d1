package dev.agentsandbox.api;

import java.nio.charset.StandardCharsets;

/** The label-safe hash of a name: 32-bit FNV-1a of its UTF-8 bytes, as 8 lowercase hex digits. */
public final class NameHash {

    private static final int OFFSET_BASIS = 0x811c9dc5;
    private static final int PRIME = 0x01000193;

    private NameHash() {}

    public static String of(String name) {
        return String.format("%08x", fnv1a32(name.getBytes(StandardCharsets.UTF_8)));
    }

    static int fnv1a32(byte[] data) {
        int hash = OFFSET_BASIS;
        for (byte b : data) {
            hash ^= (b & 0xff);
            hash *= PRIME;
        }
        return hash;
    }
}
