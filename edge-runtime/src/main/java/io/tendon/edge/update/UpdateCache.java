package io.tendon.edge.update;

import io.tendon.schemas.update.PolicySigning;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateRefusal;
import io.tendon.schemas.update.UpdateRefusedException;
import io.tendon.schemas.update.VerifiedUpdate;
import io.tendon.schemas.v1.Provenance;
import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The policy updates this robot verified, on its own disk, so that it boots with its last good
 * policy without a broker. Per policy id a directory holds, for each update, the graph
 * ({@code v<version>-<graph>.onnx}) and its metadata ({@code .update}: graph, signature, SHA-256,
 * key id, sizes, provenance), plus three small state files: the high-water mark (the newest
 * version ever accepted: older ones are replays), the versions marked bad (rolled back here),
 * and the pin. Every file is written to a temporary file, forced to disk and renamed.
 *
 * <p>Nothing read back is trusted: {@link #load} checks the bytes' size and SHA-256 and the
 * signature against the trusted keys again, and a cached graph that fails is refused and not used.
 * Not thread-safe: the update thread owns it.
 */
public final class UpdateCache {

    private static final String META = ".update";
    private static final String HIGH_WATER = "high-water-mark";
    private static final String BAD = "bad-versions";
    private static final String PIN = "pinned-version";

    /** One cached update, as its metadata file describes it. */
    public record Entry(String policyId, long version, String graph, String keyId, byte[] sha256, byte[] signature,
            long size, int partCount, Provenance provenance, Path file) {
    }

    private final Path dir;
    private final String policyId;

    public UpdateCache(Path root, String policyId) throws IOException {
        this.policyId = policyId;
        this.dir = root.resolve(policyId);
        Files.createDirectories(dir);
    }

    public Path directory() {
        return dir;
    }

    /** Writes a verified update (graph, then metadata) durably. */
    public Entry store(VerifiedUpdate u) throws IOException {
        String base = "v" + Long.toUnsignedString(u.version()) + "-" + u.graph();
        Path file = dir.resolve(base + ".onnx");
        writeAtomically(file, u.bytes());
        Properties p = new Properties();
        p.setProperty("policy_id", u.policyId());
        p.setProperty("version", Long.toUnsignedString(u.version()));
        p.setProperty("graph", u.graph());
        p.setProperty("key_id", u.keyId());
        p.setProperty("sha256", HexFormat.of().formatHex(u.sha256()));
        p.setProperty("signature", Base64.getEncoder().encodeToString(u.signature()));
        p.setProperty("size", Integer.toString(u.size()));
        p.setProperty("part_count", Integer.toString(u.partCount()));
        p.setProperty("provenance", Base64.getEncoder().encodeToString(u.provenance().toByteArray()));
        p.setProperty("file", file.getFileName().toString());
        java.io.StringWriter w = new java.io.StringWriter();
        p.store(w, "a verified policy update; the graph is checked against this again when loaded");
        writeAtomically(dir.resolve(base + META), w.toString().getBytes(StandardCharsets.UTF_8));
        return read(dir.resolve(base + META));
    }

    /** Every cached update whose metadata can be read, oldest version first; unreadable ones are in {@code broken}. */
    public List<Entry> entries(List<String> broken) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path meta : (Iterable<Path>) files.filter(f -> f.getFileName().toString().endsWith(META)).sorted()::iterator) {
                try {
                    out.add(read(meta));
                } catch (IOException | RuntimeException e) {
                    broken.add(meta.getFileName() + ": " + e.getMessage());
                }
            }
        }
        out.sort((a, b) -> Long.compareUnsigned(a.version(), b.version()));
        return out;
    }

    private Entry read(Path meta) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(meta, StandardCharsets.UTF_8)));
        return new Entry(p.getProperty("policy_id"), Long.parseUnsignedLong(p.getProperty("version")),
                p.getProperty("graph"), p.getProperty("key_id"), HexFormat.of().parseHex(p.getProperty("sha256")),
                Base64.getDecoder().decode(p.getProperty("signature")), Long.parseLong(p.getProperty("size")),
                Integer.parseInt(p.getProperty("part_count")),
                Provenance.parseFrom(Base64.getDecoder().decode(p.getProperty("provenance"))),
                dir.resolve(p.getProperty("file")));
    }

    /**
     * The graph of {@code e}, after checking it again: its size and SHA-256 match the metadata, and
     * the signature verifies with a key that is trusted now. Throws with the reason otherwise.
     */
    public byte[] load(Entry e, TrustedKeys keys) throws UpdateRefusedException {
        String name = e.policyId() + " v" + Long.toUnsignedString(e.version()) + " " + e.graph();
        if (!policyId.equals(e.policyId())) {
            throw new UpdateRefusedException(UpdateRefusal.MALFORMED, "cached " + name + " is not for policy " + policyId);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(e.file());
        } catch (IOException ex) {
            throw new UpdateRefusedException(UpdateRefusal.SIZE_MISMATCH, "cached " + name + " cannot be read: " + ex);
        }
        if (bytes.length != e.size()) {
            throw new UpdateRefusedException(UpdateRefusal.SIZE_MISMATCH, "cached " + name + " holds " + bytes.length
                    + " bytes, its metadata says " + e.size());
        }
        byte[] sha = PolicySigning.sha256(bytes);
        if (!Arrays.equals(sha, e.sha256())) {
            throw new UpdateRefusedException(UpdateRefusal.HASH_MISMATCH, "cached " + name + " does not hash to its SHA-256");
        }
        Optional<PublicKey> key = keys.key(e.keyId());
        if (key.isEmpty()) {
            throw new UpdateRefusedException(UpdateRefusal.UNKNOWN_KEY, "cached " + name + " was signed with key "
                    + e.keyId() + ", which is no longer trusted");
        }
        byte[] message = PolicySigning.signingString(e.policyId(), e.version(), e.graph(), sha, bytes.length);
        if (!PolicySigning.verify(key.get(), message, e.signature())) {
            throw new UpdateRefusedException(UpdateRefusal.BAD_SIGNATURE, "cached " + name
                    + " does not verify with key " + e.keyId());
        }
        return bytes;
    }

    /** The newest version ever accepted (0: none). */
    public long highWaterMark() throws IOException {
        Path f = dir.resolve(HIGH_WATER);
        return Files.exists(f) ? Long.parseUnsignedLong(Files.readString(f, StandardCharsets.US_ASCII).trim()) : 0;
    }

    /** Raises the high-water mark to {@code version} (never lowers it), durably. */
    public void raiseHighWaterMark(long version) throws IOException {
        if (Long.compareUnsigned(version, highWaterMark()) > 0) {
            writeAtomically(dir.resolve(HIGH_WATER), (Long.toUnsignedString(version) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Versions rolled back on this robot: never applied again. */
    public TreeSet<Long> badVersions() throws IOException {
        TreeSet<Long> out = new TreeSet<>(Long::compareUnsigned);
        Path f = dir.resolve(BAD);
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f, StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    out.add(Long.parseUnsignedLong(line.trim()));
                }
            }
        }
        return out;
    }

    public void markBad(long version) throws IOException {
        TreeSet<Long> bad = badVersions();
        if (bad.add(version)) {
            StringBuilder b = new StringBuilder();
            for (long v : bad) {
                b.append(Long.toUnsignedString(v)).append('\n');
            }
            writeAtomically(dir.resolve(BAD), b.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The pinned version, if any: updates are received and cached but not applied. */
    public OptionalLong pinned() throws IOException {
        Path f = dir.resolve(PIN);
        return Files.exists(f) ? OptionalLong.of(Long.parseUnsignedLong(Files.readString(f, StandardCharsets.US_ASCII)
                .trim())) : OptionalLong.empty();
    }

    public void pin(long version) throws IOException {
        writeAtomically(dir.resolve(PIN), (Long.toUnsignedString(version) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    public void unpin() throws IOException {
        Files.deleteIfExists(dir.resolve(PIN));
        force(dir);
    }

    /** Temporary file, forced to disk, renamed over the target, directory forced: a crash leaves old or new. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        force(target.getParent());
    }

    private static void force(Path directory) {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory; the rename is still atomic there.
        }
    }
}
