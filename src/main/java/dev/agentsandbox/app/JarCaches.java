package dev.agentsandbox.app;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.lang.reflect.Method;
import org.jboss.logging.Logger;

/**
 * Gives back what the packaged application's class loader keeps open from start-up: every jar it read stays open
 * with a cached inflater (native zlib memory, about 40 KB each, outside the JVM's own accounting). That is about
 * 135 jars and 5 MB of native memory in the router, for classes that are all loaded by then. Quarkus's class loader
 * ({@code RunnerClassLoader}) reopens a jar when a class is loaded from it later, so this is safe at any time; it
 * is done once after start-up and once more after the first minute, when the first requests have loaded theirs.
 * A class loader without {@code resetInternalCaches} (dev and test mode) is left alone.
 */
@Singleton
public class JarCaches {

    private static final Logger LOG = Logger.getLogger(JarCaches.class);

    /** When the second release runs. */
    static final long AGAIN_AFTER_MILLIS = 60_000;

    void onStart(@Observes StartupEvent event, Vertx vertx) {
        ClassLoader loader = JarCaches.class.getClassLoader();
        if (release(loader)) {
            vertx.setTimer(AGAIN_AFTER_MILLIS, id -> vertx.executeBlocking(() -> release(loader), false));
        }
    }

    /** Calls the loader's {@code resetInternalCaches()}; false when it has none. */
    static boolean release(ClassLoader loader) {
        Method reset;
        try {
            reset = loader.getClass().getMethod("resetInternalCaches");
        } catch (NoSuchMethodException e) {
            return false;
        }
        try {
            reset.invoke(loader);
            LOG.debugf("jar files of %s closed until a class is needed from them again", loader);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("cannot release the jar caches of %s: %s", loader, e);
            return false;
        }
    }
}
