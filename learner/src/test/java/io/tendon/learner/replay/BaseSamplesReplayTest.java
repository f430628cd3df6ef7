package io.tendon.learner.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.Rejection;
import io.tendon.learner.record.TransitionDecoder;
import io.tendon.learner.record.TransitionValidator;
import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Transitions that carry the base policy's chunks (base_samples: M at s, then M at s', M from
 * the bundle manifest): decoded and kept by a learner whose bundle declares M, refused when the
 * count is neither 0 nor 2M, stored per row in replay, handed out in batches, kept by snapshots;
 * a row without them is marked and carries its executed chunk in their place.
 */
class BaseSamplesReplayTest {

    private static final int M = 2;
    private static final int C = 16 * 13;
    private final LearnerConfig config = LearnerTestConfig.of("tendon.quality.enabled", "false");

    private static ActionChunk chunk(float value) {
        ActionChunk.Builder c = ActionChunk.newBuilder().setHorizon(16).setActionDim(13);
        for (int i = 0; i < C; i++) {
            c.addValues(value + i * 1e-3f);
        }
        return c.build();
    }

    /** A transition whose k-th base chunk is {@code 100 step + k} (+ i/1000 at entry i). */
    private static Transition withBase(int step, int chunks) {
        Transition.Builder t = Fixtures.transition(1, 1, step, Source.ROLLOUT);
        for (int k = 0; k < chunks; k++) {
            t.addBaseSamples(chunk(100 * step + k));
        }
        return t.build();
    }

    private DecodedTransition decode(Transition t) {
        DecodedTransition d = new DecodedTransition(config.layout(), M);
        try {
            new TransitionDecoder().decode(t.toByteArray(), d);
        } catch (TransitionDecoder.MalformedException e) {
            throw new AssertionError(e);
        }
        return d;
    }

    @Test
    void aLearnerThatDeclaresMKeepsTwoMChunksAndRefusesAnyOtherCount() {
        TransitionValidator validator = new TransitionValidator(config.layout(), 1L << 30, 100_000,
                () -> System.currentTimeMillis() * 1_000_000L);
        DecodedTransition d = decode(withBase(3, 2 * M));
        assertTrue(d.hasBaseSamples());
        assertEquals(300 + 3 + 5e-3f, d.baseValues[3 * C + 5], 1e-4f);
        assertNull(validator.check(d, null));
        DecodedTransition none = decode(withBase(3, 0));
        assertEquals(false, none.hasBaseSamples());
        assertNull(validator.check(none, null), "a record without base chunks is fine (a demonstration)");
        Rejection r = validator.check(decode(withBase(3, 3)), null);
        assertEquals("DIMENSION", r.reason().name());
        assertTrue(r.detail().contains("base_samples holds 3 chunks"), r.detail());
        // A learner that runs the base itself only checks them.
        DecodedTransition ignoring = Fixtures.decode(withBase(3, 3), config.layout());
        assertNull(validator.check(ignoring, null));
    }

    @Test
    void rowsKeepTheirBaseChunksThroughSamplingAndSnapshots() throws Exception {
        ReplayBuffer replay = new ReplayBuffer(config, new SimpleMeterRegistry(), M);
        for (int step = 0; step < 10; step++) {
            assertTrue(replay.insert(decode(withBase(step, step == 7 ? 0 : 2 * M)), false));
        }
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        replay.writeSnapshot(snapshot);
        ReplayBuffer restored = new ReplayBuffer(config, new SimpleMeterRegistry(), M);
        restored.restoreSnapshot(() -> new java.io.ByteArrayInputStream(snapshot.toByteArray()));
        for (ReplayBuffer r : new ReplayBuffer[] {replay, restored}) {
            Batch b = r.newBatch(64);
            assertEquals(M, b.baseSamples);
            assertTrue(r.trySample(b, new SplittableRandom(1)));
            boolean sawWithout = false;
            for (int row = 0; row < b.size; row++) {
                int step = (int) b.action[row * C + 12];
                float[] got = Arrays.copyOfRange(b.baseChunks, row * 2 * M * C, (row + 1) * 2 * M * C);
                if (step == 7) {
                    sawWithout = true;
                    assertEquals(0f, b.hasBaseSamples[row]);
                    for (int k = 0; k < 2 * M; k++) {
                        assertArrayEquals(Arrays.copyOfRange(b.action, row * C, row * C + C),
                                Arrays.copyOfRange(got, k * C, k * C + C), "the executed chunk stands in");
                    }
                } else {
                    assertEquals(1f, b.hasBaseSamples[row]);
                    for (int k = 0; k < 2 * M; k++) {
                        assertEquals(100 * step + k, got[k * C], 1e-3f, "row of step " + step + ", chunk " + k);
                    }
                }
            }
            assertTrue(sawWithout);
        }
    }
}
