package io.tendon.learner.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Source;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * Behaviour cloning copies what a person did, not what the policy did beside it: of an
 * INTERVENTION chunk only the steps a person controlled, of a DEMO chunk every valid step.
 */
class BcCloneMaskTest {

    private static final int S = 3;
    private static final int H = 4;
    private static final int A = 2;

    private final Device cpu = NetTesting.cpu();

    /**
     * Rows at one state. INTERVENTION rows: a person drove half the chunk with +1 and the policy
     * the other half with -1 (first half in even rows, second half in odd rows). Every
     * position of the chunk therefore sees +1 from a person as often as -1 from the policy.
     */
    private static Batch interventions(int rows) {
        Batch b = new Batch(rows, S, H, A);
        b.size = rows;
        for (int row = 0; row < rows; row++) {
            b.state[row * S] = 0.5f;
            for (int i = 0; i < H; i++) {
                boolean human = (i < H / 2) == (row % 2 == 0);
                for (int j = 0; j < A; j++) {
                    b.action[(row * H + i) * A + j] = human ? 1f : -1f;
                }
                b.validMask[row * H + i] = 1f;
                b.interventionMask[row * H + i] = human ? 1f : 0f;
            }
            b.weight[row] = 1f;
            b.source[row] = (byte) Source.INTERVENTION_VALUE;
        }
        return b;
    }

    private double fit(Batch batch) {
        BatchTensors tensors = new BatchTensors(batch.capacity, S, H, A, cpu, ScalarType.Float);
        tensors.load(batch);
        BcWarmup bc = new BcWarmup(S, H, A, List.of(16), false, cpu, ScalarType.Float, 3, 1e-2, 10);
        for (int step = 0; step < 300; step++) {
            try (PointerScope scope = new PointerScope()) {
                bc.update(tensors, null);
            }
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            float[] out = Tensors.toArray(bc.act(tensors.state()).select(0, 0));
            double min = Double.POSITIVE_INFINITY;
            for (float v : out) {
                min = Math.min(min, v);
            }
            return min;
        }
    }

    @Test
    void interventionChunksCloneOnlyThePersonsSteps() {
        double min = fit(interventions(16));
        assertTrue(min > 0.9, "every position of the head clones the person's +1, never the policy's -1 (smallest "
                + min + "; cloning every valid step would give 0)");
    }

    @Test
    void demonstrationChunksCloneEveryValidStep() {
        Batch b = interventions(16);
        for (int row = 0; row < b.size; row++) {
            b.source[row] = (byte) Source.DEMO_VALUE;
        }
        // A DEMO row is all demonstration: +1 and -1 are both cloned and average out.
        assertEquals(0.0, fit(b), 0.1);
    }

    @Test
    void theCloneMaskIsThePersonsStepsForInterventionsAndTheValidStepsOtherwise() {
        Batch b = interventions(2);
        b.source[1] = (byte) Source.ROLLOUT_VALUE;
        b.validMask[H + H - 1] = 0f;
        BatchTensors tensors = new BatchTensors(2, S, H, A, cpu, ScalarType.Float);
        tensors.load(b);
        try (PointerScope scope = new PointerScope()) {
            float[] mask = Tensors.toArray(tensors.cloneMask());
            assertEquals("[1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0]", java.util.Arrays.toString(mask));
        }
    }
}
