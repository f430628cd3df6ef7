package io.tendon.edge.policy;

import io.tendon.schemas.v1.TensorRole;

/**
 * CHUNK mode: every {@code exec_horizon} ticks the head maps (z, state, noise) to an H x A
 * chunk whose row j is meant for tick k + j. The first {@code latency_steps} rows are dropped
 * (their time passes while the chunk is computed; the rows already committed run instead), the
 * next {@code exec_horizon} rows are executed, blended with the older chunks' predictions for
 * the same ticks by temporal ensembling.
 */
final class ChunkMode implements ModeStep {

    private final PolicyGraphs g;
    private final ResidualComposer residual;
    private final NoiseSource noise;
    private final TensorSlot noiseIn;
    private final TensorSlot actionsOut;
    private final float[] noiseBuffer;
    private final int h;
    private final int a;
    private final ChunkCadence cadence;

    ChunkMode(PolicyGraphs g, ResidualComposer residual, NoiseSource noise) {
        this.g = g;
        this.residual = residual;
        this.noise = noise;
        PolicyBundle b = g.bundle;
        h = b.chunkLength;
        a = b.actionDim;
        cadence = new ChunkCadence(b);
        noiseIn = g.head.input(TensorRole.NOISE);
        actionsOut = g.head.output(TensorRole.ACTIONS);
        noiseBuffer = new float[noiseIn == null ? 0 : noiseIn.capacity];
    }

    @Override
    public boolean compute(long tick, Observation obs, Prediction out) {
        if (!cadence.due(tick)) {
            return false;
        }
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
        g.bundle.actionSpace.denormalise(out.actions, 0, h);
        residual.compose(g, out.actions, 0, length);
        cadence.windows(out, tick);
        return true;
    }


    @Override
    public void retry(long tick) {
        cadence.retry(tick);
    }

    @Override
    public void reset() {
        cadence.reset();
    }
}
