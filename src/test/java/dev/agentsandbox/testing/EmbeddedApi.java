package dev.agentsandbox.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test field to receive the embedded API server's {@code KubernetesClient}, {@code ApiFaults} or the
 * {@code EmbeddedApiServer} itself (see {@link WithEmbeddedApiServer}).
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface EmbeddedApi {}
