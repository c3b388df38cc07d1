package dev.agentsandbox.router;

import dev.agentsandbox.owner.Owner;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * The owner-token Secret as the router sees it: watched, and rebuilt into a hash-to-owner index on every change,
 * so a rotated or revoked token stops working within one watch event. Lookups never touch the API server.
 */
public final class OwnerTokenStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OwnerTokenStore.class);

    private final String secretKey;
    private volatile Map<String, String> ownerByHash = Map.of();
    private volatile boolean loaded;
    /** Raised after every change of the tokens: what was authenticated under an earlier version is checked again. */
    private volatile long version;

    private SharedIndexInformer<Secret> informer;

    private OwnerTokenStore(String namespace, String name) {
        this.secretKey = namespace + "/" + name;
    }

    /** Watches {@code namespace/name}; a missing Secret means no owner can authenticate yet. */
    public static OwnerTokenStore watch(KubernetesClient client, String namespace, String name) {
        OwnerTokenStore store = new OwnerTokenStore(namespace, name);
        store.informer = client.secrets().inNamespace(namespace).withName(name).runnableInformer(0);
        store.informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                store.load(secret);
            }

            @Override
            public void onUpdate(Secret previous, Secret secret) {
                store.load(secret);
            }

            @Override
            public void onDelete(Secret secret, boolean finalStateUnknown) {
                store.load(null);
            }
        });
        return store;
    }

    /** Starts the watch; completes once the first list has been seen. */
    public CompletionStage<Void> start() {
        return informer.start().thenRun(() -> loaded = true);
    }

    public boolean loaded() {
        return loaded;
    }

    /** Changes whenever the tokens do. */
    public long version() {
        return version;
    }

    /** The owner whose token this is, or null. Looked up by hash, so the token is never compared as text. */
    public String ownerOf(String token) {
        return ownerByHash.get(OwnerTokens.hash(token));
    }

    /** Number of owners that can authenticate. */
    public int size() {
        return ownerByHash.size();
    }

    void load(Secret secret) {
        Map<String, String> next = new HashMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((owner, encoded) -> {
                if (!Owner.isValid(owner)) {
                    LOG.warnf("Secret %s: a data key is not a valid owner name; its entry is ignored", secretKey);
                    return;
                }
                String hash = OwnerTokens.storedHash(encoded);
                if (hash == null) {
                    // Never log the value: it is a hash, but an operator may have pasted a raw token by mistake.
                    LOG.warnf(
                            "Secret %s: entry for owner \"%s\" is not a 64-digit hex SHA-256; ignored",
                            secretKey, owner);
                    return;
                }
                next.put(hash, owner);
            });
        }
        ownerByHash = Map.copyOf(next);
        // After the tokens: a caller who reads the new version also reads the new tokens, and one remembered under
        // the old version is checked again. (One writer, the informer's thread.)
        version++;
        LOG.infof("Secret %s: %d owner token(s) loaded", secretKey, next.size());
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
