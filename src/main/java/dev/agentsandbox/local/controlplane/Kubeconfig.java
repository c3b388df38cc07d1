package dev.agentsandbox.local.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A kubeconfig file with one cluster, one user and one context, written with mode 0600 (through a private temporary
 * file, so a token is never readable by others, not even briefly).
 *
 * @param server the API's URL
 * @param certificateAuthority the CA file that signed the API's certificate; empty skips verification (the embedded
 *        API server's self-signed certificate has no IP SANs; it listens on loopback only)
 * @param token the bearer token
 * @param namespace the context's namespace
 */
public record Kubeconfig(String server, Optional<Path> certificateAuthority, String token, String namespace) {

    public static final String CONTEXT = "agent-sandbox-local";

    public static Kubeconfig withToken(String server, Optional<Path> ca, String token, String namespace) {
        return new Kubeconfig(server, ca, token, namespace);
    }

    public String yaml() {
        String trust = certificateAuthority
                .map(ca -> "certificate-authority: " + ca.toAbsolutePath())
                .orElse("insecure-skip-tls-verify: true");
        String user = "token: " + token;
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                    %3$s
                users:
                - name: %1$s
                  user:
                    %4$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: %5$s
                current-context: %1$s
                """
                .formatted(CONTEXT, server, trust, user, namespace);
    }

    public Path write(Path file) throws IOException {
        writePrivate(file, yaml());
        return file;
    }

    /** Writes {@code content} to {@code file} with mode 0600, atomically. */
    public static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(
                file.toAbsolutePath().getParent(),
                file.getFileName().toString(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
