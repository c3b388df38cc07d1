package dev.agentsandbox.client;

/** Where the command-line client registers its Ctrl-C cleanup; the JVM in production, a fake in tests. */
public interface ShutdownHooks {

    void add(Thread hook);

    void remove(Thread hook);

    /** The JVM's shutdown hooks (Ctrl-C, SIGTERM, normal exit). */
    static ShutdownHooks jvm() {
        return new ShutdownHooks() {
            @Override
            public void add(Thread hook) {
                Runtime.getRuntime().addShutdownHook(hook);
            }

            @Override
            public void remove(Thread hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // Already shutting down: the hook is running or has run, which is what we wanted.
                }
            }
        };
    }
}
