package io.tendon.learner.grpc;

import io.tendon.learner.replay.Batch;
import io.tendon.learner.train.BatchSource;
import io.tendon.learner.train.TrainingData;
import io.tendon.schemas.v1.Source;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.Arrays;

/**
 * A one-step bandit as the learner's replay (enabled only by {@link TrainingProfile}): one
 * state, three arms (chunks) with known rewards, every chunk terminal.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class BanditTrainingData implements TrainingData {

    public static final float[] REWARDS = {1.0f, -0.5f, 2.0f};

    /** The bandit's one state (64 values). */
    public static float[] state() {
        float[] s = new float[64];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sin(i);
        }
        return s;
    }

    /** Arm k's chunk (16 x 13). */
    public static float[] arm(int k) {
        float[] a = new float[16 * 13];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.cos(i * (k + 1)) * 0.5f;
        }
        return a;
    }

    private boolean fill(Batch b) {
        float[] s = state();
        for (int row = 0; row < b.capacity; row++) {
            int k = row % REWARDS.length;
            System.arraycopy(s, 0, b.state, row * 64, 64);
            System.arraycopy(s, 0, b.nextState, row * 64, 64);
            float[] a = arm(k);
            System.arraycopy(a, 0, b.action, row * a.length, a.length);
            System.arraycopy(a, 0, b.policyAction, row * a.length, a.length);
            Arrays.fill(b.rewards, row * 16, row * 16 + 16, 0f);
            b.rewards[row * 16] = REWARDS[k];
            Arrays.fill(b.validMask, row * 16, row * 16 + 16, 1f);
            Arrays.fill(b.interventionMask, row * 16, row * 16 + 16, 0f);
            b.terminated[row] = 1f;
            b.weight[row] = 1f;
            b.source[row] = (byte) Source.DEMO_VALUE;
        }
        b.size = b.capacity;
        return true;
    }

    @Override
    public BatchSource replay() {
        return this::fill;
    }

    @Override
    public BatchSource demonstrations() {
        return this::fill;
    }

    @Override
    public long size(Source source) {
        return source == Source.DEMO ? 3 : 0;
    }
}
