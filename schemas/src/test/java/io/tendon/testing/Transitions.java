package io.tendon.testing;

import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.Observation;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;

/**
 * Valid transitions of the reference layout (version 1: latent 40, proprio 12, wrench 12,
 * chunk 16 x 13) with deterministic contents, for tests of both services.
 */
public final class Transitions {

    public static final int LAYOUT_VERSION = 1;
    public static final int LATENT = 40;
    public static final int PROPRIO = 12;
    public static final int WRENCH = 12;
    public static final int HORIZON = 16;
    public static final int ACTION_DIM = 13;

    private Transitions() {
    }

    /** A complete, valid ROLLOUT transition. */
    public static Transition.Builder valid(String robotId, String episodeId, long step) {
        Transition.Builder b = Transition.newBuilder()
                .setLayoutVersion(LAYOUT_VERSION)
                .setRobotId(robotId)
                .setEpisodeId(episodeId)
                .setStep(step)
                .setSource(Source.ROLLOUT)
                .setPolicyVersion(3)
                .setObservation(observation(step))
                .setExecutedChunk(chunk(step, 0.01f))
                .setPolicyChunk(chunk(step, 0.0f))
                .setNextObservation(observation(step + 1))
                .setStartTimeUnixNanos(System.currentTimeMillis() * 1_000_000L)
                .setPublishTimeUnixNanos(System.currentTimeMillis() * 1_000_000L);
        for (int i = 0; i < HORIZON; i++) {
            b.addRewards(-0.01f * i).addValidMask(true).addInterventionMask(false);
        }
        return b;
    }

    public static Observation observation(long step) {
        Observation.Builder o = Observation.newBuilder();
        for (int i = 0; i < LATENT; i++) {
            o.addLatent((float) Math.sin(step + i));
        }
        for (int i = 0; i < PROPRIO; i++) {
            o.addProprio(0.001f * i + step * 1e-4f);
        }
        for (int i = 0; i < WRENCH; i++) {
            o.addWrench(0.5f * (i % 6));
        }
        return o.build();
    }

    public static ActionChunk chunk(long step, float offset) {
        ActionChunk.Builder c = ActionChunk.newBuilder().setHorizon(HORIZON).setActionDim(ACTION_DIM);
        for (int i = 0; i < HORIZON * ACTION_DIM; i++) {
            c.addValues(offset + 0.001f * (i % ACTION_DIM) + 1e-5f * step);
        }
        return c.build();
    }
}
