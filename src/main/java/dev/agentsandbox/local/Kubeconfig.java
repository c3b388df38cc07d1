package dev.agentsandbox.local;

import dev.agentsandbox.local.api.EmbeddedApiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The kubeconfig local mode writes for kubectl: the embedded API on 127.0.0.1 over TLS, its bearer token, file mode
 * 0600. The certificate is self-signed without IP SANs, hence {@code insecure-skip-tls-verify} (loopback only).
 */
final class Kubeconfig {

    static final String CONTEXT = "agent-sandbox-local";

    private Kubeconfig() {}

    static Path write(Path file, EmbeddedApiServer server, String namespace) throws IOException {
        Files.createDirectories(file.getParent());
        String yaml =
                """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                    insecure-skip-tls-verify: true
                users:
                - name: %1$s
                  user:
                    token: %3$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: %4$s
                current-context: %1$s
                """
                        .formatted(CONTEXT, server.loopbackUrl(), server.token(), namespace);
        // written to a private temp file first, so the token is never readable by others, not even briefly
        Path tmp = Files.createTempFile(
                file.getParent(),
                "kubeconfig",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
