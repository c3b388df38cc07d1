package dev.agentsandbox.testing;

import io.quarkus.test.common.QuarkusTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@code @QuarkusTest} against the embedded Kubernetes API server (real patch semantics, schema validation,
 * scale, fault injection) with the generated CRDs applied: a drop-in for {@code @WithKubernetesTestServer(crud = true)}.
 * Fields annotated with {@link EmbeddedApi} of type {@code KubernetesClient}, {@code ApiFaults} or
 * {@code EmbeddedApiServer} are injected.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@QuarkusTestResource(value = EmbeddedApiServerResource.class, restrictToAnnotatedClass = true)
public @interface WithEmbeddedApiServer {

    /** The namespace the application's client and the injected client use. */
    String namespace() default "test";
}
