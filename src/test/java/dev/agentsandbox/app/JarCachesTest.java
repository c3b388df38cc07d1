package dev.agentsandbox.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JarCachesTest {

    /** Stands in for Quarkus's RunnerClassLoader, whose public resetInternalCaches() closes its jars. */
    public static final class ResettableLoader extends ClassLoader {
        int resets;

        public void resetInternalCaches() {
            resets++;
        }
    }

    @Test
    void releasesTheCachesOfALoaderThatHasThem() {
        ResettableLoader loader = new ResettableLoader();
        assertThat(JarCaches.release(loader)).isTrue();
        assertThat(JarCaches.release(loader)).isTrue();
        assertThat(loader.resets).isEqualTo(2);
    }

    @Test
    void leavesOtherLoadersAlone() {
        assertThat(JarCaches.release(new ClassLoader() {})).isFalse();
    }
}
