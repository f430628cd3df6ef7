package io.tendon.learner.replay;

import io.tendon.schemas.layout.LayoutConfig;
import io.tendon.learner.quality.EpisodeStats;
import io.tendon.learner.record.Outcome;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The replay checkpoint part: every row (oldest first, per table), every episode (ids,
 * quality statistics, weight), remembered outcome events, the rate limiter's counters and
 * priorities. Big-endian, followed by a CRC32C of everything before it, so a truncated or
 * damaged file is refused before anything is loaded.
 *
 * <pre>
 *   "TNDNRPL1" int formatVersion(1)
 *   int layoutVersion, latentDim, proprioDim, wrenchDim, horizon, actionDim
 *   long limiterInserts; double limiterSamplesCharged; long mixedSamples; long insertsTotal; double maxPriorityMass
 *   int episodes; per episode: UTF robotId, UTF episodeId, float weight, boolean scored, EpisodeStats
 *   int orphanEvents; per event: UTF robotId, UTF episodeId, byte outcome
 *   3 x table: int source, int rowBytes, int rows; per row (oldest first): int episodeOrdinal, double priorityMass, row
 *   "TNDNEND1" int crc32c(all bytes before it)
 * </pre>
 */
public final class ReplaySnapshot {

    private static final byte[] MAGIC = {'T', 'N', 'D', 'N', 'R', 'P', 'L', '1'};
    private static final byte[] END = {'T', 'N', 'D', 'N', 'E', 'N', 'D', '1'};
    private static final int FORMAT = 1;

    private ReplaySnapshot() {
    }

    /** Opens the snapshot bytes (again); the caller of open closes the stream. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    static void write(ReplayBuffer buffer, OutputStream target) throws IOException {
        buffer.writer.lock();
        try {
            ReplayTable[] tables = buffer.tables;
            long limiterInserts;
            double limiterCharged;
            long mixedSamples;
            long insertsTotal;
            double maxMass;
            double[][] priorities = new double[tables.length][];
            // Only priorities and counters change under the trainer's hands; copy them, then write
            // rows and episodes (which only the writer changes) without blocking sampling.
            buffer.lock().lock();
            try {
                limiterInserts = buffer.limiter.inserts();
                limiterCharged = buffer.limiter.samplesCharged();
                mixedSamples = buffer.mixedSamples;
                insertsTotal = buffer.insertsTotal;
                maxMass = buffer.maxPriorityMass;
                for (int t = 0; t < tables.length; t++) {
                    if (tables[t].priority != null) {
                        priorities[t] = Arrays.copyOf(tables[t].priority, tables[t].capacity);
                    }
                }
            } finally {
                buffer.lock().unlock();
            }

            BufferedOutputStream buffered = new BufferedOutputStream(target, 1 << 16);
            CheckedOutputStream checked = new CheckedOutputStream(buffered, new CRC32C());
            DataOutputStream out = new DataOutputStream(checked);
            out.write(MAGIC);
            out.writeInt(FORMAT);
            LayoutConfig l = buffer.layout();
            out.writeInt(l.version());
            out.writeInt(l.latentDim());
            out.writeInt(l.proprioDim());
            out.writeInt(l.wrenchDim());
            out.writeInt(l.horizon());
            out.writeInt(l.actionDim());
            out.writeLong(limiterInserts);
            out.writeDouble(limiterCharged);
            out.writeLong(mixedSamples);
            out.writeLong(insertsTotal);
            out.writeDouble(maxMass);

            List<Episode> episodes = new ArrayList<>();
            buffer.episodes.all().forEach(episodes::add);
            int maxIndex = episodes.stream().mapToInt(e -> e.index).max().orElse(-1);
            int[] ordinal = new int[maxIndex + 1];
            out.writeInt(episodes.size());
            for (int i = 0; i < episodes.size(); i++) {
                Episode e = episodes.get(i);
                ordinal[e.index] = i;
                out.writeUTF(e.robotId);
                out.writeUTF(e.episodeId);
                out.writeFloat(e.weight);
                out.writeBoolean(e.scored);
                e.stats.writeTo(out);
            }
            Map<EpisodeKey, Outcome> orphans = buffer.episodes.orphanOutcomes();
            out.writeInt(orphans.size());
            for (Map.Entry<EpisodeKey, Outcome> o : orphans.entrySet()) {
                out.writeUTF(o.getKey().robotId());
                out.writeUTF(o.getKey().episodeId());
                out.writeByte(o.getValue().ordinal());
            }
            for (int t = 0; t < tables.length; t++) {
                ReplayTable table = tables[t];
                out.writeInt(table.source.getNumber());
                out.writeInt(table.rowBytes());
                out.writeInt(table.size);
                ByteBuffer row = ByteBuffer.allocate(table.rowBytes());
                for (int age = 0; age < table.size; age++) {
                    int slot = table.slotOfAge(age);
                    out.writeInt(ordinal[table.episodeOf(slot)]);
                    out.writeDouble(priorities[t] == null ? maxMass : priorities[t][slot]);
                    row.clear();
                    table.writeRow(row, slot);
                    out.write(row.array(), 0, row.position());
                }
            }
            out.write(END);
            out.flush();
            int crc = (int) checked.getChecksum().getValue();
            DataOutputStream trailer = new DataOutputStream(buffered);
            trailer.writeInt(crc);
            trailer.flush();
        } finally {
            buffer.writer.unlock();
        }
    }

    /** Reads the whole snapshot once and checks its checksum; throws when it is truncated or damaged. */
    static void verify(Opener opener) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 16];
        byte[] tail = new byte[4];
        int tailLength = 0;
        long total = 0;
        try (InputStream in = opener.open()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                // Everything but the last 4 bytes of the file is covered by the checksum.
                int available = tailLength + n;
                int feed = Math.max(0, available - 4);
                int fromTail = Math.min(tailLength, feed);
                crc.update(tail, 0, fromTail);
                int fromBuf = feed - fromTail;
                crc.update(buf, 0, fromBuf);
                byte[] next = new byte[4];
                int k = 0;
                for (int i = fromTail; i < tailLength; i++) {
                    next[k++] = tail[i];
                }
                for (int i = fromBuf; i < n; i++) {
                    next[k++] = buf[i];
                }
                tail = next;
                tailLength = k;
            }
        }
        if (total < MAGIC.length + END.length + 4 || tailLength != 4) {
            throw new IOException("replay snapshot is truncated (" + total + " bytes)");
        }
        int stored = ByteBuffer.wrap(tail).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IOException("replay snapshot checksum mismatch (damaged or truncated file)");
        }
    }

    static void read(ReplayBuffer buffer, InputStream source) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(source, 1 << 16));
        // Restores run at start-up, before any trainer samples; holding the lock keeps them exact anyway.
        buffer.lock().lock();
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a replay snapshot (bad magic)");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException("replay snapshot format " + format + " is not supported (expected " + FORMAT + ")");
            }
            LayoutConfig l = buffer.layout();
            int[] layout = new int[6];
            for (int i = 0; i < layout.length; i++) {
                layout[i] = in.readInt();
            }
            int[] expected = {l.version(), l.latentDim(), l.proprioDim(), l.wrenchDim(), l.horizon(), l.actionDim()};
            if (!Arrays.equals(layout, expected)) {
                throw new IOException("replay snapshot was written for layout " + Arrays.toString(layout)
                        + " (version, latent, proprio, wrench, horizon, action), this learner has "
                        + Arrays.toString(expected));
            }
            long limiterInserts = in.readLong();
            double limiterCharged = in.readDouble();
            long mixedSamples = in.readLong();
            long insertsTotal = in.readLong();
            double maxMass = in.readDouble();

            int episodeCount = in.readInt();
            Episode[] episodes = new Episode[episodeCount];
            for (int i = 0; i < episodeCount; i++) {
                String robot = in.readUTF();
                String episode = in.readUTF();
                float weight = in.readFloat();
                boolean scored = in.readBoolean();
                EpisodeStats stats = EpisodeStats.readFrom(in);
                Episode e = buffer.episodes.create(EpisodeKey.of(robot, episode), robot, episode, stats, weight);
                e.scored = scored;
                episodes[i] = e;
            }
            int orphanCount = in.readInt();
            for (int i = 0; i < orphanCount; i++) {
                String robot = in.readUTF();
                String episode = in.readUTF();
                int outcome = in.readUnsignedByte();
                if (outcome >= Outcome.values().length) {
                    throw new IOException("bad outcome " + outcome + " in replay snapshot");
                }
                buffer.episodes.rememberOutcome(EpisodeKey.of(robot, episode), Outcome.values()[outcome]);
            }
            buffer.limiter.restore(limiterInserts, limiterCharged);
            buffer.mixedSamples = mixedSamples;
            buffer.insertsTotal = insertsTotal;
            buffer.maxPriorityMass = maxMass;
            for (ReplayTable table : buffer.tables) {
                readTable(buffer, table, in, episodes);
            }
            // Episodes whose every row fell out of a smaller table are forgotten.
            for (Episode e : episodes) {
                if (e.rows.size() == 0 && buffer.episodes.find(e.key) == e) {
                    buffer.episodes.release(e);
                }
            }
            byte[] end = new byte[END.length];
            in.readFully(end);
            if (!Arrays.equals(end, END)) {
                throw new IOException("replay snapshot has no end marker where expected");
            }
        } catch (EOFException e) {
            throw new IOException("replay snapshot ends early", e);
        } finally {
            buffer.lock().unlock();
        }
    }

    private static void readTable(ReplayBuffer buffer, ReplayTable table, DataInputStream in, Episode[] episodes)
            throws IOException {
        int source = in.readInt();
        int rowBytes = in.readInt();
        int rows = in.readInt();
        if (source != table.source.getNumber() || rowBytes != table.rowBytes() || rows < 0) {
            throw new IOException("replay snapshot table header (source " + source + ", " + rowBytes
                    + " bytes per row) does not match table " + table.source);
        }
        byte[] bytes = new byte[rowBytes];
        ByteBuffer row = ByteBuffer.wrap(bytes);
        for (int i = 0; i < rows; i++) {
            int ordinal = in.readInt();
            double mass = in.readDouble();
            in.readFully(bytes);
            if (ordinal < 0 || ordinal >= episodes.length) {
                throw new IOException("replay snapshot row names episode " + ordinal + " of " + episodes.length);
            }
            buffer.evictForRestore(table);
            Episode e = episodes[ordinal];
            if (buffer.episodes.find(e.key) != e) {
                // Its rows were all evicted by a smaller table and it was forgotten; bring it back.
                e = buffer.episodes.create(e.key, e.robotId, e.episodeId, e.stats, e.weight);
                e.scored = episodes[ordinal].scored;
                episodes[ordinal] = e;
            }
            row.clear();
            int slot = table.readRow(row, e.index);
            e.rows.put(table.stepOf(slot), Episode.ref(table.index, slot));
            if (e.weight == 0) {
                table.ineligible++;
            }
            if (table.tree != null) {
                double m = mass > 0 ? mass : buffer.maxPriorityMass;
                table.priority[slot] = m;
                table.tree.set(slot, e.weight > 0 ? m : 0);
            }
        }
    }
}
