package io.tendon.learner.publish;

import io.tendon.learner.checkpoint.AtomicFile;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Policy versions, strictly increasing and persisted: a version is written to disk when it is
 * reserved, before any graph carries it, so a crash can skip a version but never reuse one.
 * The file holds {@code reserved=N} and {@code published=M}.
 */
public final class VersionStore {

    private final Path file;
    private long reserved;
    private long published;

    public VersionStore(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            try {
                reserved = Long.parseLong(p.getProperty("reserved", "0").trim());
                published = Long.parseLong(p.getProperty("published", "0").trim());
            } catch (NumberFormatException e) {
                throw new IOException("version file " + file + " is damaged: " + e.getMessage(), e);
            }
            if (reserved < published || published < 0) {
                throw new IOException("version file " + file + " is inconsistent: reserved " + reserved
                        + " < published " + published);
            }
        }
    }

    /** Raises the floor (e.g. from a checkpoint written elsewhere): later versions exceed {@code version}. */
    public synchronized void atLeast(long version) throws IOException {
        if (version > reserved) {
            reserved = version;
            persist();
        }
    }

    /** The next version, persisted before it is returned. */
    public synchronized long reserve() throws IOException {
        long next = reserved + 1;
        reserved = next;
        persist();
        return next;
    }

    /** Records that {@code version} went out; it must exceed the last published one. */
    public synchronized void markPublished(long version) throws IOException {
        if (version <= published || version > reserved) {
            throw new IllegalStateException("version " + version + " cannot follow published " + published
                    + " (reserved up to " + reserved + ")");
        }
        published = version;
        persist();
    }

    public synchronized long lastPublished() {
        return published;
    }

    public synchronized long lastReserved() {
        return reserved;
    }

    private void persist() throws IOException {
        AtomicFile.write(file, ("reserved=" + reserved + "\npublished=" + published + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
