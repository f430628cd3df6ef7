package io.tendon.schemas.update;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The public keys a receiver trusts to sign policy updates, by key id. Several at once, so that
 * a fleet can rotate keys: add the new key everywhere, switch the learner to it, then remove the
 * old one. Loaded from PEM files and from directories (for example a mounted Kubernetes Secret,
 * one key per entry); in a directory every regular file whose name does not start with a dot is
 * read (Kubernetes' {@code ..data} links are skipped). Immutable.
 */
public final class TrustedKeys {

    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        Map<String, PublicKey> map = new LinkedHashMap<>();
        for (PublicKey k : keys) {
            map.put(PolicySigning.keyId(k), k);
        }
        return new TrustedKeys(map);
    }

    public static TrustedKeys of(PublicKey... keys) {
        return of(List.of(keys));
    }

    /**
     * Reads every key of {@code paths}: a file is one PEM public key, a directory holds one per
     * file. A path that does not exist or a file that is not a PEM Ed25519 public key is an error
     * that names it.
     */
    public static TrustedKeys load(Collection<Path> paths) throws IOException {
        Map<String, PublicKey> map = new LinkedHashMap<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                        if (!f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)) {
                            add(map, f);
                        }
                    }
                }
            } else if (Files.isRegularFile(p)) {
                add(map, p);
            } else {
                throw new IOException("trusted key path " + p + " does not exist");
            }
        }
        return new TrustedKeys(map);
    }

    private static void add(Map<String, PublicKey> map, Path file) throws IOException {
        try {
            PublicKey key = PolicySigning.readPublicPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
            map.put(PolicySigning.keyId(key), key);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public Optional<PublicKey> key(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    /** The trusted key ids. */
    public java.util.Set<String> ids() {
        return byId.keySet();
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    @Override
    public String toString() {
        return "TrustedKeys" + byId.keySet();
    }
}
