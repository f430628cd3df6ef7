package io.tendon.learner.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints as directories of named parts ({@code ckpt-<id>/<part>}), made current by
 * atomically replacing the {@code LATEST} pointer after every part is on disk. A crash while
 * writing leaves {@code LATEST} on the previous, complete checkpoint. Keeps the newest
 * {@code keep} checkpoints and deletes older ones.
 */
public final class CheckpointStore {

    private static final String LATEST = "LATEST";
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private final Path root;
    private final int keep;

    public CheckpointStore(Path root, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, was " + keep);
        }
        this.root = root;
        this.keep = keep;
    }

    /** Writes a checkpoint with these parts and makes it the latest. Part names: [A-Za-z0-9._-]. */
    public void write(long id, Map<String, AtomicFile.Body> parts) throws IOException {
        Path dir = root.resolve("ckpt-" + id);
        Files.createDirectories(dir);
        for (Map.Entry<String, AtomicFile.Body> part : parts.entrySet()) {
            if (!PART.matcher(part.getKey()).matches()) {
                throw new IllegalArgumentException("bad checkpoint part name '" + part.getKey() + "'");
            }
            AtomicFile.write(dir.resolve(part.getKey()), part.getValue());
        }
        AtomicFile.write(dir.resolve("COMPLETE"), String.join("\n", new TreeSet<>(parts.keySet()))
                .getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(root.resolve(LATEST), Long.toString(id).getBytes(StandardCharsets.UTF_8));
        prune(id);
    }

    /** The checkpoint LATEST points at, if any. */
    public Optional<Checkpoint> latest() throws IOException {
        String id;
        try {
            id = Files.readString(root.resolve(LATEST), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Path dir = root.resolve("ckpt-" + id);
        if (!Files.exists(dir.resolve("COMPLETE"))) {
            throw new IOException("checkpoint " + dir + " named by LATEST is incomplete");
        }
        Set<String> names = new TreeSet<>(Files.readAllLines(dir.resolve("COMPLETE"), StandardCharsets.UTF_8));
        names.remove("");
        return Optional.of(new Checkpoint(Long.parseLong(id), dir, names));
    }

    /**
     * Every complete checkpoint up to the one LATEST names, newest first, so a reader can fall
     * back past one it cannot use. Empty when there is no LATEST.
     */
    public List<Checkpoint> complete() throws IOException {
        String latestId;
        try {
            latestId = Files.readString(root.resolve(LATEST), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return List.of();
        }
        long latest;
        try {
            latest = Long.parseLong(latestId);
        } catch (NumberFormatException e) {
            throw new IOException("LATEST in " + root + " does not hold a checkpoint id: '" + latestId + "'");
        }
        TreeSet<Long> ids = new TreeSet<>();
        try (Stream<Path> list = Files.list(root)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("ckpt-[0-9]+"))
                    .forEach(n -> ids.add(Long.parseLong(n.substring(5))));
        }
        List<Checkpoint> found = new ArrayList<>();
        for (Long id : ids.descendingSet()) {
            Path dir = root.resolve("ckpt-" + id);
            if (id > latest || !Files.exists(dir.resolve("COMPLETE"))) {
                continue;
            }
            Set<String> names = new TreeSet<>(Files.readAllLines(dir.resolve("COMPLETE"), StandardCharsets.UTF_8));
            names.remove("");
            found.add(new Checkpoint(id, dir, names));
        }
        return found;
    }

    private void prune(long current) throws IOException {
        TreeSet<Long> ids = new TreeSet<>();
        try (Stream<Path> list = Files.list(root)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("ckpt-[0-9]+"))
                    .forEach(n -> ids.add(Long.parseLong(n.substring(5))));
        }
        while (ids.size() > keep) {
            long oldest = ids.pollFirst();
            if (oldest == current) {
                break;
            }
            deleteTree(root.resolve("ckpt-" + oldest));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A complete checkpoint on disk. */
    public record Checkpoint(long id, Path directory, Set<String> parts) {

        /** Opens a part; the caller closes the stream. */
        public InputStream open(String part) throws IOException {
            if (!parts.contains(part)) {
                throw new NoSuchFileException(directory.resolve(part).toString(), null, "not in checkpoint " + id);
            }
            return Files.newInputStream(directory.resolve(part));
        }

        /** When it was completed: the modification time of its COMPLETE marker, ms since the epoch (0 if unreadable). */
        public long completedAtMillis() {
            try {
                return Files.getLastModifiedTime(directory.resolve("COMPLETE")).toMillis();
            } catch (IOException e) {
                return 0;
            }
        }
    }
}
