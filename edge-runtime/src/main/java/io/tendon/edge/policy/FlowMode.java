package io.tendon.edge.policy;

import io.tendon.schemas.v1.TensorRole;

/**
 * FLOW mode (ALGORITHMS.md section 3): every {@code exec_horizon} ticks the prefix (the
 * conditioning) is computed once and bound into the step and guidance graphs, then the
 * {@link Sampler} integrates the step graph from noise to an H x A chunk in {@code n_steps},
 * with guidance in the last fraction of the steps. The chunk is then executed as in
 * {@link ChunkMode}.
 */
final class FlowMode extends ChunkedMode {

    private final Sampler sampler;
    private final TensorSlot conditioning;
    private final float[] conditioningBuffer;

    FlowMode(PolicyGraphs g, ResidualComposer residual, Sampler sampler) {
        super(g, residual);
        this.sampler = sampler;
        conditioning = g.prefix == null ? null : g.prefix.output(TensorRole.CONDITIONING);
        conditioningBuffer = new float[conditioning == null ? 0 : conditioning.capacity];
    }

    /** Builds the sampler for a flow bundle: noise, the step graph, the integrator, the guidance graph. */
    static Sampler sampler(PolicyGraphs g, NoiseSource noise) {
        PolicyBundle b = g.bundle;
        Integrator integrator = integrator(b);
        GuidanceTerm[] guidance = g.guidance == null ? new GuidanceTerm[0]
                : new GuidanceTerm[] {new GradientGuidance(g.guidance, b.guidanceScale, b.guidanceFraction)};
        return new Sampler(noise, new GraphDenoiser(g.step, b.actionDim), integrator, guidance,
                b.chunkLength * b.actionDim);
    }

    static Integrator integrator(PolicyBundle b) {
        if (b.integrator == io.tendon.schemas.v1.Integrator.DDIM) {
            return new DdimIntegrator(b.samplerSteps,
                    NoiseSchedules.alphasCumprod(b.betaSchedule, b.trainTimesteps, b.betaStart, b.betaEnd));
        }
        return new EulerIntegrator(b.samplerSteps, b.reverseTime);
    }

    @Override
    protected void predict(long tick, Observation obs, Prediction out) {
        g.normalise(obs);
        g.computeLatent();
        // The prefix once per chunk; every step and guidance call reuses what is bound here.
        if (g.prefix != null) {
            g.writeLatentAndState(g.prefix);
            g.prefix.run();
            conditioning.read(conditioningBuffer, 0, conditioningBuffer.length);
            bindConditioning(g.step);
            bindConditioning(g.guidance);
        }
        g.writeLatentAndState(g.step);
        if (g.guidance != null) {
            g.writeLatentAndState(g.guidance);
        }
        int length = h * a;
        sampler.sample(out.actions, length);
        finish(out, tick);
    }

    private void bindConditioning(BoundGraph graph) {
        if (graph == null) {
            return;
        }
        TensorSlot in = graph.input(TensorRole.CONDITIONING);
        if (in != null) {
            in.write(conditioningBuffer, 0, conditioningBuffer.length);
        }
    }

}
