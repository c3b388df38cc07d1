package dev.agentsandbox.owner.token;

import dev.agentsandbox.owner.Owner;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The router's owner-token Secret: one data key per owner, holding the hex SHA-256 of that owner's token, so reading
 * the Secret does not reveal a usable token; the token itself is returned once, to the caller of {@link #issue}. The
 * single owner of that format (docs/api.md section 10.3): the router reads it ({@link #storedHash}, {@link #hash}),
 * local mode and the client's {@code token} command write it.
 */
public final class OwnerTokens {

    public static final String DEFAULT_SECRET_NAME = "sandbox-router-owner-tokens";
    public static final String DEFAULT_NAMESPACE = "agent-sandbox-system";

    private static final String TOKEN_PREFIX = "sbx_";
    private static final int TOKEN_BYTES = 32;
    private static final int MAX_ATTEMPTS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    });

    private OwnerTokens() {}

    /**
     * Creates a new token for {@code owner}, replacing any previous one (rotation), and returns it. Creates the
     * Secret when it does not exist; updates it with optimistic locking otherwise.
     */
    public static String issue(KubernetesClient client, String namespace, String secretName, String owner) {
        Owner who = new Owner(owner);
        byte[] random = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(random);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        store(client, namespace, secretName, who.name(), hash(token));
        return token;
    }

    /** Removes {@code owner}'s token; true when there was one. */
    public static boolean revoke(KubernetesClient client, String namespace, String secretName, String owner) {
        return store(client, namespace, secretName, new Owner(owner).name(), null);
    }

    /** Lower-case hex SHA-256 of the token's UTF-8 bytes: the form kept in the Secret. */
    public static String hash(String token) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The hash a Secret value holds: the base64 of 64 hex digits (case and surrounding blanks forgiven), returned in
     * lower case; null when the value is anything else, such as a raw token pasted by mistake.
     */
    public static String storedHash(String encoded) {
        try {
            String hash = new String(Base64.getDecoder().decode(encoded), StandardCharsets.US_ASCII)
                    .trim()
                    .toLowerCase(Locale.ROOT);
            if (hash.length() != 64 || !hash.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return null;
            }
            return hash;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Sets (hash non-null) or removes (hash null) the owner's entry; retries on write conflicts. */
    private static boolean store(
            KubernetesClient client, String namespace, String secretName, String owner, String hash) {
        for (int attempt = 1; ; attempt++) {
            try {
                Secret current = client.secrets()
                        .inNamespace(namespace)
                        .withName(secretName)
                        .get();
                if (current == null) {
                    if (hash == null) {
                        return false;
                    }
                    client.secrets()
                            .inNamespace(namespace)
                            .resource(new SecretBuilder()
                                    .withNewMetadata()
                                    .withName(secretName)
                                    .withNamespace(namespace)
                                    .addToLabels("app.kubernetes.io/part-of", "agent-sandbox")
                                    .addToLabels("app.kubernetes.io/component", "sandbox-router")
                                    .endMetadata()
                                    .withType("Opaque")
                                    .addToData(owner, encode(hash))
                                    .build())
                            .create();
                    return true;
                }
                Map<String, String> data =
                        current.getData() == null ? new HashMap<>() : new HashMap<>(current.getData());
                boolean existed = data.containsKey(owner);
                if (hash == null) {
                    if (!existed) {
                        return false;
                    }
                    data.remove(owner);
                } else {
                    data.put(owner, encode(hash));
                }
                current.setData(data);
                client.secrets().inNamespace(namespace).resource(current).update();
                return hash != null || existed;
            } catch (KubernetesClientException e) {
                boolean retry = (e.getCode() == 409) && attempt < MAX_ATTEMPTS;
                if (!retry) {
                    String why =
                            switch (e.getCode()) {
                                case 403 -> "forbidden by RBAC (403); this needs rights to get, create and update Secrets there";
                                case 404 -> "namespace " + namespace + " not found (404)";
                                default -> e.getStatus() != null
                                                && e.getStatus().getMessage() != null
                                        ? e.getStatus().getMessage()
                                        : e.getMessage();
                            };
                    throw new KubernetesClientException(
                            "Secret " + namespace + "/" + secretName + ": cannot store the token of owner \"" + owner
                                    + "\": " + why,
                            e);
                }
            }
        }
    }

    private static String encode(String hash) {
        return Base64.getEncoder().encodeToString(hash.getBytes(StandardCharsets.US_ASCII));
    }
}
