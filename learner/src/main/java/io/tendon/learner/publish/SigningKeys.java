package io.tendon.learner.publish;

import io.tendon.learner.checkpoint.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Finds the signing key, in this order: {@code tendon.publish.key-file}; the file
 * {@code key-secret-key} inside {@code tendon.publish.key-secret-dir} (a Kubernetes secret
 * mounted as a volume); a development key pair kept in {@code dev-key-dir} (generated on first
 * use) when {@code dev-key-allowed}. Then writes the public half to
 * {@code tendon.publish.public-key-file}, where the edge's trusted-key configuration reads it.
 */
public final class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    public static final String DEV_PRIVATE = "policy-signing.key.pem";

    private SigningKeys() {
    }

    public static SigningKey load(Optional<String> keyFile, Optional<String> secretDir, String secretKey,
            boolean devAllowed, Path devDir, Path publicKeyFile) throws IOException {
        SigningKey key;
        if (keyFile.isPresent()) {
            Path file = Path.of(keyFile.get());
            key = SigningKey.fromPem(read(file, "tendon.publish.key-file"), "tendon.publish.key-file " + file);
        } else if (secretDir.isPresent()) {
            Path file = Path.of(secretDir.get()).resolve(secretKey);
            key = SigningKey.fromPem(read(file, "tendon.publish.key-secret-dir"), "secret file " + file);
        } else if (devAllowed) {
            key = developmentKey(devDir);
        } else {
            throw new IOException("no signing key: set tendon.publish.key-file or tendon.publish.key-secret-dir"
                    + " (or tendon.publish.dev-key-allowed=true for a local run)");
        }
        AtomicFile.write(publicKeyFile, key.publicPem().getBytes(StandardCharsets.US_ASCII));
        LOG.infof("signing policy updates with key %s from %s; public key written to %s", key.keyId(), key.source(),
                publicKeyFile.toAbsolutePath());
        return key;
    }

    private static String read(Path file, String key) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(key + ": " + file + " does not exist");
        }
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    private static SigningKey developmentKey(Path devDir) throws IOException {
        Path file = devDir.resolve(DEV_PRIVATE);
        if (Files.isRegularFile(file)) {
            return SigningKey.fromPem(Files.readString(file, StandardCharsets.US_ASCII), "development key " + file);
        }
        SigningKey key = SigningKey.generate("development key " + file);
        Files.createDirectories(devDir);
        AtomicFile.write(file, key.privatePem().getBytes(StandardCharsets.US_ASCII));
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; the directory's own protection applies.
        }
        LOG.warnf("generated a DEVELOPMENT signing key in %s; use tendon.publish.key-file or key-secret-dir in production",
                file.toAbsolutePath());
        return key;
    }
}
