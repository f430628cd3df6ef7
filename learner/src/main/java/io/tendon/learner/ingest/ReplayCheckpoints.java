package io.tendon.learner.ingest;

import io.tendon.learner.checkpoint.AtomicFile;
import io.tendon.learner.checkpoint.CheckpointStore;
import io.tendon.learner.metrics.CheckpointMeters;
import io.tendon.learner.replay.ReplayBuffer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The replay's checkpoints: each is a {@link CheckpointStore} directory with two parts,
 * {@value #REPLAY_PART} (the replay contents, {@link io.tendon.learner.replay.ReplaySnapshot})
 * and {@value #OFFSETS_PART} (per topic partition, the next offset to read, as text lines
 * {@code topic partition offset}), written by the ingest thread at a moment when the two
 * agree. On start the newest loadable checkpoint is restored and ingest resumes at its
 * offsets; a damaged one is skipped for the one before it.
 */
public final class ReplayCheckpoints implements IngestLoop.Checkpointer {

    public static final String REPLAY_PART = "replay";
    public static final String OFFSETS_PART = "ingest-offsets";
    private static final Logger LOG = Logger.getLogger(ReplayCheckpoints.class);

    private final CheckpointStore store;
    private final ReplayBuffer replay;
    private final long intervalNanos;
    private final CheckpointMeters meters;
    private long lastId;
    private long lastWriteNanos;
    /** System.nanoTime() when the write in progress began, 0 when none is (for the liveness check). */
    private volatile long writingSinceNanos;

    /** What a restore brought back. */
    public record Restored(long id, Map<TopicPartition, Long> offsets) {
    }

    public ReplayCheckpoints(CheckpointStore store, ReplayBuffer replay, long intervalNanos) {
        this(store, replay, intervalNanos, CheckpointMeters.detached("replay"));
    }

    /** @param meters where write times, failures and the age of the newest checkpoint are reported */
    public ReplayCheckpoints(CheckpointStore store, ReplayBuffer replay, long intervalNanos, CheckpointMeters meters) {
        this.meters = meters;
        this.store = store;
        this.replay = replay;
        this.intervalNanos = intervalNanos;
        this.lastWriteNanos = System.nanoTime();
        try {
            store.complete().stream().findFirst().ifPresent(c -> lastId = c.id());
        } catch (IOException e) {
            LOG.warnf("cannot list replay checkpoints: %s", e.getMessage());
        }
    }

    @Override
    public boolean due(long monotonicNanos) {
        return monotonicNanos - lastWriteNanos >= intervalNanos;
    }

    @Override
    public long write(Map<TopicPartition, Long> positions) throws IOException {
        long id = lastId + 1;
        Map<String, AtomicFile.Body> parts = new LinkedHashMap<>();
        parts.put(REPLAY_PART, replay::writeSnapshot);
        parts.put(OFFSETS_PART, out -> writeOffsets(positions, out));
        long started = System.nanoTime();
        writingSinceNanos = started;
        try {
            store.write(id, parts);
            meters.written(System.nanoTime() - started);
        } catch (IOException | RuntimeException e) {
            meters.failed();
            throw e;
        } finally {
            writingSinceNanos = 0;
            lastWriteNanos = System.nanoTime();
        }
        lastId = id;
        return id;
    }

    /**
     * Loads the newest checkpoint that verifies into the (empty) replay and returns its
     * offsets; empty when there is none or none loads (the replay is then empty).
     */
    public Optional<Restored> restore() {
        try {
            for (CheckpointStore.Checkpoint c : store.complete()) {
                try {
                    Map<TopicPartition, Long> offsets;
                    try (InputStream in = c.open(OFFSETS_PART)) {
                        offsets = readOffsets(in);
                    }
                    replay.restoreSnapshot(() -> c.open(REPLAY_PART));
                    lastId = Math.max(lastId, c.id());
                    meters.restored(c.completedAtMillis());
                    return Optional.of(new Restored(c.id(), offsets));
                } catch (IOException | RuntimeException e) {
                    LOG.errorf("replay checkpoint %d in %s cannot be loaded (%s); trying an older one", c.id(),
                            c.directory(), e.getMessage());
                    replay.clear();
                }
            }
        } catch (IOException e) {
            LOG.errorf("cannot list replay checkpoints: %s", e.getMessage());
        }
        return Optional.empty();
    }

    /** System.nanoTime() when the checkpoint being written began; 0 when none is being written. Any thread. */
    public long writingSinceNanos() {
        return writingSinceNanos;
    }

    static void writeOffsets(Map<TopicPartition, Long> positions, OutputStream out) throws IOException {
        StringBuilder text = new StringBuilder("# next offset to read: topic partition offset\n");
        Map<String, Long> sorted = new TreeMap<>();
        positions.forEach((tp, offset) -> sorted.put(tp.topic() + " " + tp.partition(), offset));
        sorted.forEach((tp, offset) -> text.append(tp).append(' ').append(offset).append('\n'));
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Map<TopicPartition, Long> readOffsets(InputStream in) throws IOException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            try {
                if (f.length != 3) {
                    throw new NumberFormatException("3 fields expected");
                }
                long offset = Long.parseLong(f[2]);
                if (offset < 0) {
                    throw new NumberFormatException("negative offset");
                }
                offsets.put(new TopicPartition(f[0], Integer.parseInt(f[1])), offset);
            } catch (NumberFormatException e) {
                throw new IOException(OFFSETS_PART + " line " + n + " '" + line + "' is not 'topic partition offset'");
            }
        }
        return offsets;
    }
}
