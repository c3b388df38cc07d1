package dev.agentsandbox.local.gc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What the garbage collector needs from the API server's store. */
public interface ObjectStore {

    /**
     * Every stored object, as JSON: all of them count as owners, so a dependent is never collected because its
     * owner's kind is not (or no longer) known.
     */
    List<JsonNode> snapshot();

    /** Whether the collector may act on this object: its kind is one the server knows. */
    boolean collectable(JsonNode object);

    /** A number that changes whenever the store is written. */
    long changes();

    /**
     * Deletes the object (background propagation; finalizers are honoured), unless what is stored under its name
     * now is another object (another uid).
     */
    void delete(JsonNode object);

    /** Replaces the object (used to drop finalizers and owner references), unless another uid is stored there now. */
    void replace(JsonNode object);
}
