package dev.agentsandbox.local;

import dev.agentsandbox.app.Main;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the packaged application ({@code quarkus-app/quarkus-run.jar}) that agent Pods run. */
final class ApplicationJar {

    private ApplicationJar() {}

    static Optional<Path> find(Optional<String> configured) {
        if (configured.isPresent()) {
            return existing(Path.of(configured.get()));
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.endsWith("quarkus-run.jar")) {
                return existing(Path.of(entry));
            }
        }
        try {
            // fast-jar layout: quarkus-app/app/<application>.jar or quarkus-app/lib/main/...; quarkus-run.jar is above
            Path source = Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path p = source; p != null; p = p.getParent()) {
                Optional<Path> jar = existing(p.resolve("quarkus-run.jar"));
                if (jar.isPresent()) {
                    return jar;
                }
            }
        } catch (Exception e) {
            // no code source (unusual class loader): fall through to the build directory
        }
        return existing(Path.of("target", "quarkus-app", "quarkus-run.jar"));
    }

    /** The {@code target/kubernetes} directory of the build that produced the jar, where the CRDs are generated. */
    static Optional<Path> generatedManifests(Optional<Path> jar) {
        if (jar.isPresent()) {
            Path candidate = jar.get().toAbsolutePath().getParent().resolveSibling("kubernetes");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        Path inBuild = Path.of("target", "kubernetes");
        return Files.isDirectory(inBuild) ? Optional.of(inBuild.toAbsolutePath()) : Optional.empty();
    }

    private static Optional<Path> existing(Path p) {
        return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
    }
}
