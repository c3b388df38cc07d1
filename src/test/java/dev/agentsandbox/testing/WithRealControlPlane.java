package dev.agentsandbox.testing;

import io.quarkus.test.common.QuarkusTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a {@code @QuarkusTest} against the real control plane ({@link RealControlPlane}) instead of the embedded API
 * server, with the generated CRDs applied and the namespace created; skipped, with a message that names
 * {@code tools/kube/build.sh}, where the binaries are absent.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RealControlPlane.class)
@QuarkusTestResource(value = RealControlPlaneResource.class, restrictToAnnotatedClass = true)
public @interface WithRealControlPlane {

    /** The namespace the application's client and the injected client use. */
    String namespace() default "test";
}
