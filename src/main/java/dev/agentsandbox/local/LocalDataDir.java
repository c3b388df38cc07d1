package dev.agentsandbox.local;

import java.nio.file.Path;

/** Where local mode keeps its files; resolved before Quarkus boots, from the system property or the environment. */
final class LocalDataDir {

    static final String PROPERTY = "sandbox.local.data-dir";
    static final String ENV = "SANDBOX_LOCAL_DATA_DIR";

    private LocalDataDir() {}

    static Path resolve() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENV);
        }
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".agent-sandbox", "local")
                    .toAbsolutePath();
        }
        return Path.of(configured).toAbsolutePath();
    }
}
