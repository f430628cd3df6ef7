package io.tendon.edge.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on a real file system: order, acknowledgement, restart, torn tails, overflow. */
class TransitionSpoolTest {

    @TempDir
    Path dir;

    private static byte[] payload(int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        return b;
    }

    private static List<SpoolRecord> drain(TransitionSpool spool) throws IOException {
        List<SpoolRecord> out = new ArrayList<>();
        SpoolRecord r;
        while ((r = spool.next()) != null) {
            out.add(r);
        }
        return out;
    }

    private TransitionSpool open(long segmentBytes, long maxBytes) throws IOException {
        return new TransitionSpool(dir, segmentBytes, maxBytes, TransitionSpool.Fsync.NEVER);
    }

    @Test
    void recordsComeBackInOrderAcknowledgedSegmentsGoAndARestartResumesAfterTheMark() throws IOException {
        long[] seqs = new long[100];
        try (TransitionSpool spool = open(4096, 1 << 30)) {
            for (int i = 0; i < 100; i++) {
                seqs[i] = spool.append(1 + i % 3, payload(i, 200));
                if (i % 7 == 0) {
                    spool.flush();
                }
            }
            spool.flush();
            assertTrue(spool.segmentCount() > 3, "segments of 4 KiB: " + spool.segmentCount());
            List<SpoolRecord> all = drain(spool);
            assertEquals(100, all.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(seqs[i], all.get(i).sequence());
                assertEquals(1 + i % 3, all.get(i).source());
                assertArrayEquals(payload(i, 200), all.get(i).payload());
            }
            int before = spool.segmentCount();
            spool.acknowledge(seqs[59], 60, System.nanoTime());
            assertTrue(spool.segmentCount() < before, "wholly acknowledged segments are deleted");
            assertEquals(40, spool.pending());
            spool.rewind();
            assertEquals(seqs[60], spool.next().sequence(), "a rewind starts after the acknowledged ones");
        }
        try (TransitionSpool reopened = open(4096, 1 << 30)) {
            assertEquals(40, reopened.recovered(), "what the broker did not acknowledge is there after a restart");
            List<SpoolRecord> rest = drain(reopened);
            assertEquals(40, rest.size());
            assertEquals(seqs[60], rest.get(0).sequence());
            long next = reopened.append(1, payload(1000, 10));
            assertTrue(next > seqs[99], "sequences keep increasing across restarts");
            reopened.flush();
            assertEquals(next, reopened.next().sequence(), "and new records follow the old ones");
        }
    }

    @Test
    void aTornTailIsCutAtItsFirstBadRecordAndTheRecordsBeforeItSurvive() throws IOException {
        try (TransitionSpool spool = open(1 << 20, 1 << 30)) {
            for (int i = 0; i < 10; i++) {
                spool.append(2, payload(i, 300));
            }
            spool.flush();
        }
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        long size = Files.size(segment);
        // The process died in the middle of writing the tenth record: 150 of its bytes made it.
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(size - 167);
        }
        try (TransitionSpool spool = open(1 << 20, 1 << 30)) {
            assertEquals(1, spool.tornTails());
            assertEquals(TransitionSpool.HEADER + 300 - 167, spool.tornBytes());
            List<SpoolRecord> left = drain(spool);
            assertEquals(9, left.size(), "the nine whole records before the tear");
            for (int i = 0; i < 9; i++) {
                assertArrayEquals(payload(i, 300), left.get(i).payload());
            }
        }
        assertEquals(9L * (TransitionSpool.HEADER + 300), Files.size(segment), "the torn bytes are cut off");
    }

    @Test
    void aFlippedBitFailsTheCrcAndEndsTheSegmentThere() throws IOException {
        try (TransitionSpool spool = open(1 << 20, 1 << 30)) {
            for (int i = 0; i < 5; i++) {
                spool.append(3, payload(i, 100));
            }
            spool.flush();
        }
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            long at = 3L * (TransitionSpool.HEADER + 100) + TransitionSpool.HEADER + 40; // inside record 4's payload
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        try (TransitionSpool spool = open(1 << 20, 1 << 30)) {
            assertEquals(1, spool.tornTails());
            assertEquals(3, drain(spool).size());
        }
    }

    @Test
    void beyondTheCapRolloutsGoFirstDemonstrationsAndInterventionsLast() throws IOException {
        int size = 1000;
        long record = TransitionSpool.HEADER + size;
        // Segments of 4 records, a cap of 12 records: three segments' worth.
        try (TransitionSpool spool = open(4 * record, 12 * record)) {
            int[] sources = new int[40];
            for (int i = 0; i < 40; i++) {
                sources[i] = i % 4 == 0 ? TransitionSpool.DEMO : i % 4 == 1 ? TransitionSpool.INTERVENTION
                        : TransitionSpool.ROLLOUT;
                spool.append(sources[i], payload(i, size));
                spool.flush();
            }
            assertTrue(spool.bytes() <= 12 * record + 4 * record, "the cap holds, give or take the active segment: "
                    + spool.bytes());
            assertTrue(spool.dropped(TransitionSpool.ROLLOUT) > 0);
            List<SpoolRecord> left = drain(spool);
            long demos = left.stream().filter(r -> r.source() == TransitionSpool.DEMO).count();
            long interventions = left.stream().filter(r -> r.source() == TransitionSpool.INTERVENTION).count();
            long rollouts = left.stream().filter(r -> r.source() == TransitionSpool.ROLLOUT).count();
            assertEquals(10 - spool.dropped(TransitionSpool.DEMO), demos);
            assertEquals(10 - spool.dropped(TransitionSpool.INTERVENTION), interventions);
            assertEquals(20 - spool.dropped(TransitionSpool.ROLLOUT), rollouts);
            assertTrue(spool.dropped(TransitionSpool.ROLLOUT) > spool.dropped(TransitionSpool.DEMO)
                    + spool.dropped(TransitionSpool.INTERVENTION), "rollouts are dropped first");
            assertTrue(demos >= 5, "most demonstrations survive: " + demos);
            for (int i = 1; i < left.size(); i++) {
                assertTrue(left.get(i).sequence() > left.get(i - 1).sequence(), "still in order");
            }
            assertEquals(40, spool.appended());
            assertEquals(left.size(), spool.pending());
        }
    }

    @Test
    void anEmptySpoolHasNothingToSend() throws IOException {
        try (TransitionSpool spool = open(1 << 20, 1 << 30)) {
            assertNull(spool.next());
            assertEquals(0, spool.pending());
        }
    }
}
