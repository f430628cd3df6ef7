package io.tendon.learner.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.record.Outcome;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The replay checkpoint part: exact round trip, and refusal of damaged or foreign snapshots. */
class ReplaySnapshotTest {

    private static LearnerConfig config(String rolloutCapacity) {
        return LearnerTestConfig.of("tendon.replay.capacity.rollout", rolloutCapacity, "tendon.replay.capacity.demo", "30",
                "tendon.replay.priority.enabled", "true", "tendon.replay.rate-limit.enabled", "true",
                "tendon.replay.rate-limit.samples-per-insert", "2", "tendon.replay.rate-limit.min-size-to-sample", "5",
                "tendon.replay.rate-limit.error-buffer", "1000", "tendon.quality.max-peak-force-n", "100");
    }

    /** A replay that has wrapped around, holds a filtered episode, priorities, an orphan event and limiter state. */
    static ReplayBuffer populated(LearnerConfig config) {
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry());
        for (int e = 0; e < 8; e++) {
            for (int s = 0; s < 10; s++) {
                Transition.Builder t = Fixtures.transition(e % 3, e, s, s % 5 == 0 ? Source.DEMO : Source.ROLLOUT);
                if (e == 6) {
                    t.setObservation(t.getObservation().toBuilder().setWrench(7, 900f));
                }
                t.setTerminated(s == 9).setRewards(15, 1f).setInterventionMask(s % 16, true);
                replay.insert(Fixtures.decode(t.build(), config.layout()), false);
            }
        }
        replay.episodeEvent("robot-0", "ep-6", Outcome.FAILURE);
        replay.episodeEvent("robot-5", "ep-99", Outcome.SUCCESS);
        Batch batch = replay.newBatch(16);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 5; i++) {
            assertTrue(replay.trySample(batch, rng));
            float[] td = new float[batch.size];
            for (int r = 0; r < td.length; r++) {
                td[r] = r * 0.5f;
            }
            replay.updatePriorities(batch, td);
        }
        return replay;
    }

    static byte[] snapshot(ReplayBuffer replay) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        replay.writeSnapshot(out);
        return out.toByteArray();
    }

    @Test
    void aRestoredReplayHoldsExactlyWhatWasWritten() throws Exception {
        LearnerConfig config = config("50");
        ReplayBuffer original = populated(config);
        assertEquals(50, original.size(Source.ROLLOUT), "the rollout table wrapped around");
        assertEquals(0f, original.episodeWeight("robot-0", "ep-6"), "a filtered episode");
        byte[] bytes = snapshot(original);
        ReplayBuffer restored = new ReplayBuffer(config, new SimpleMeterRegistry());
        restored.restoreSnapshot(() -> new ByteArrayInputStream(bytes));
        ReplayAssertions.assertSameContents(original, restored);
        // De-duplication comes back with the rows, and the remembered event with the episodes.
        assertFalse(restored.insert(Fixtures.decode(Fixtures.transition(1, 7, 9, Source.ROLLOUT).build(),
                config.layout()), false));
        restored.insert(Fixtures.decode(Fixtures.transition(5, 99, 0, Source.ROLLOUT).build(), config.layout()), false);
        assertEquals(1f, restored.episodeWeight("robot-5", "ep-99"));
        // Written again, the snapshot is the same bytes.
        ReplayBuffer again = new ReplayBuffer(config, new SimpleMeterRegistry());
        again.restoreSnapshot(() -> new ByteArrayInputStream(bytes));
        assertTrue(Arrays.equals(bytes, snapshot(again)));
    }

    @Test
    void aSmallerTableKeepsTheNewestRows() throws Exception {
        ReplayBuffer original = populated(config("50"));
        byte[] bytes = snapshot(original);
        ReplayBuffer smaller = new ReplayBuffer(config("20"), new SimpleMeterRegistry());
        smaller.restoreSnapshot(() -> new ByteArrayInputStream(bytes));
        assertEquals(20, smaller.size(Source.ROLLOUT));
        assertTrue(smaller.contains("robot-1", "ep-7", 9), "newest row kept");
        assertFalse(smaller.contains("robot-0", "ep-3", 1), "oldest rows dropped");
    }

    @Test
    void aDamagedSnapshotChangesNothingAndSaysWhy() throws Exception {
        LearnerConfig config = config("50");
        byte[] bytes = snapshot(populated(config));
        ReplayBuffer target = populated(config);
        byte[] before = snapshot(target);

        byte[] flipped = bytes.clone();
        flipped[flipped.length / 2] ^= 0x10;
        IOException damaged = assertThrows(IOException.class,
                () -> target.restoreSnapshot(() -> new ByteArrayInputStream(flipped)));
        assertTrue(damaged.getMessage().contains("checksum"), damaged.getMessage());

        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1000);
        assertThrows(IOException.class, () -> target.restoreSnapshot(() -> new ByteArrayInputStream(truncated)));
        assertTrue(Arrays.equals(before, snapshot(target)), "nothing was loaded from a damaged snapshot");

        LearnerConfig otherLayout = LearnerTestConfig.of("tendon.layout.latent-dim", "32");
        ReplayBuffer other = new ReplayBuffer(otherLayout, new SimpleMeterRegistry());
        IOException layout = assertThrows(IOException.class,
                () -> other.restoreSnapshot(() -> new ByteArrayInputStream(bytes)));
        assertTrue(layout.getMessage().contains("layout"), layout.getMessage());
        assertEquals(0, other.totalSize());
    }
}
