package dev.agentsandbox.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** "namespace/name": how the controllers key their in-process state by object and name objects in messages. */
public final class ObjectKey {
    private ObjectKey() {}

    public static String of(String namespace, String name) {
        return namespace + "/" + name;
    }

    public static String of(HasMetadata object) {
        return of(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }
}
