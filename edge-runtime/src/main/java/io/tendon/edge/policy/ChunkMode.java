package io.tendon.edge.policy;

import io.tendon.schemas.v1.TensorRole;

/**
 * CHUNK mode: every {@code exec_horizon} ticks the head maps (z, state, noise) to an H x A
 * chunk whose row j is meant for tick k + j. The first {@code latency_steps} rows are dropped
 * (their time passes while the chunk is computed; the rows already committed run instead), the
 * next {@code exec_horizon} rows are executed, blended with the older chunks' predictions for
 * the same ticks by temporal ensembling.
 */
final class ChunkMode extends ChunkedMode {

    private final NoiseSource noise;
    private final TensorSlot noiseIn;
    private final TensorSlot actionsOut;
    private final float[] noiseBuffer;

    ChunkMode(PolicyGraphs g, ResidualComposer residual, NoiseSource noise) {
        super(g, residual);
        this.noise = noise;
        noiseIn = g.head.input(TensorRole.NOISE);
        actionsOut = g.head.output(TensorRole.ACTIONS);
        noiseBuffer = new float[noiseIn == null ? 0 : noiseIn.capacity];
    }

    @Override
    protected void predict(long tick, Observation obs, Prediction out) {
        g.normalise(obs);
        g.computeLatent();
        g.writeLatentAndState(g.head);
        if (noiseIn != null) {
            noise.fill(noiseBuffer, noiseBuffer.length);
            noiseIn.write(noiseBuffer, 0, noiseBuffer.length);
        }
        g.head.run();
        int length = h * a;
        actionsOut.read(out.actions, 0, length);
        finish(out, tick);
    }


}
