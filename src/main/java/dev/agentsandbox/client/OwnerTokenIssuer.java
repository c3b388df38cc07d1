package dev.agentsandbox.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Creates or rotates an owner's router token. The token is 32 random bytes (base64url, no padding); only its
 * SHA-256 (lower-case hex) is stored, under the owner's name as data key, in the router's owner-token Secret, so
 * the Secret never holds a usable credential. A new token replaces the old one at once.
 */
public final class OwnerTokenIssuer {

    public static final String DEFAULT_SECRET = "sandbox-router-owner-tokens";
    public static final String DEFAULT_NAMESPACE = "agent-sandbox-system";

    private static final int ATTEMPTS = 5;

    private final KubernetesClient kube;
    private final SecureRandom random;

    public OwnerTokenIssuer(KubernetesClient kube) {
        this(kube, new SecureRandom());
    }

    OwnerTokenIssuer(KubernetesClient kube, SecureRandom random) {
        this.kube = kube;
        this.random = random;
    }

    /** Issues a new token for {@code owner}, stores its hash in {@code namespace/secret}, and returns the token. */
    public String issue(String owner, String namespace, String secret) {
        Owner who = new Owner(owner);
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        store(who, hash(token), namespace, secret);
        return token;
    }

    /** The value the router compares against: hex SHA-256 of the token's UTF-8 bytes. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Writes the hash with optimistic locking; retries when another administrator wrote the Secret meanwhile. */
    private void store(Owner owner, String hash, String namespace, String secret) {
        String encoded = Base64.getEncoder().encodeToString(hash.getBytes(StandardCharsets.UTF_8));
        for (int attempt = 1;; attempt++) {
            try {
                Secret current = kube.secrets().inNamespace(namespace).withName(secret).get();
                if (current == null) {
                    kube.secrets().inNamespace(namespace).resource(new SecretBuilder()
                            .withNewMetadata().withName(secret).withNamespace(namespace)
                            .addToLabels("app.kubernetes.io/part-of", "agent-sandbox").endMetadata()
                            .withType("Opaque").addToData(owner.name(), encoded).build()).create();
                } else {
                    Map<String, String> data = new HashMap<>(current.getData() == null ? Map.of() : current.getData());
                    data.put(owner.name(), encoded);
                    current.setData(data);
                    if (current.getStringData() != null) {
                        current.getStringData().remove(owner.name());
                    }
                    kube.secrets().inNamespace(namespace).resource(current).update();
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < ATTEMPTS) {
                    continue;
                }
                String why = switch (e.getCode()) {
                    case 403 -> "forbidden by RBAC (403); this needs rights to get, create and update Secrets there";
                    case 404 -> "namespace " + namespace + " not found (404)";
                    default -> e.getMessage();
                };
                throw new SandboxClientException("secret " + namespace + "/" + secret
                        + ": cannot store the token hash of owner " + owner + ": " + why, e);
            }
        }
    }
}
