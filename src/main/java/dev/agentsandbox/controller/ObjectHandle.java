package dev.agentsandbox.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.lang.reflect.InvocationTargetException;

/**
 * An object of the same kind that carries only the name and namespace of another. fabric8 copies the object it is
 * given before every patch, through JSON, though a patch needs only its name and namespace (and read by name alone,
 * it would be read from the server first); a patch sent with a handle costs neither.
 */
final class ObjectHandle {

    private ObjectHandle() {}

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T of(T object) {
        try {
            T handle = (T) object.getClass().getDeclaredConstructor().newInstance();
            ObjectMeta metadata = new ObjectMeta();
            metadata.setName(object.getMetadata().getName());
            metadata.setNamespace(object.getMetadata().getNamespace());
            handle.setMetadata(metadata);
            return handle;
        } catch (InstantiationException | IllegalAccessException | NoSuchMethodException e) {
            throw new IllegalStateException(object.getClass() + " has no public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("creating a " + object.getClass().getSimpleName(), e.getCause());
        }
    }
}
