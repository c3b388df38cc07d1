package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;

/**
 * {@code metadata.generateName} as a real API server does it: the prefix plus five random characters from the
 * alphabet Kubernetes uses (no vowels, no look-alike digits). The CRUD mock appends a dash and a UUID instead.
 */
final class GeneratedNames {

    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int SUFFIX_LENGTH = 5;
    private static final int MAX_NAME_LENGTH = 63;
    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedNames() {}

    static void assign(ObjectNode object) {
        JsonNode metadata = object.path("metadata");
        if (!metadata.isObject() || metadata.hasNonNull("name") || !metadata.hasNonNull("generateName")) {
            return;
        }
        String prefix = metadata.get("generateName").asText();
        if (prefix.length() > MAX_NAME_LENGTH - SUFFIX_LENGTH) {
            prefix = prefix.substring(0, MAX_NAME_LENGTH - SUFFIX_LENGTH);
        }
        StringBuilder name = new StringBuilder(prefix);
        for (int i = 0; i < SUFFIX_LENGTH; i++) {
            name.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        ((ObjectNode) metadata).put("name", name.toString());
    }
}
