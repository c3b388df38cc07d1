package dev.agentsandbox.local.gc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What the garbage collector needs from the API server's store. */
public interface ObjectStore {

    /** Every stored object whose kind the server knows, as JSON. */
    List<JsonNode> snapshot();

    /** A number that changes whenever the store is written. */
    long changes();

    /** Deletes the object (background propagation; finalizers are honoured). */
    void delete(JsonNode object);

    /** Replaces the object (used to drop finalizers and owner references). */
    void replace(JsonNode object);
}
