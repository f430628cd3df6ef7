package io.tendon.edge.policy;

import io.tendon.schemas.v1.TensorRole;

/**
 * TWO_RATE mode (ALGORITHMS.md section 2, Reactive Diffusion Policy). Slow: every
 * {@code slow_interval} ticks the slow graph encodes the last {@code n_obs_steps} observation
 * frames into a conditioning that is cached (bound into the fast graph), and a fresh H x A
 * noise trajectory is drawn and cached. Fast: at every tick k since the slow update, the
 * latest N = latency_steps + k + n_obs_steps synchronised wrench frames (one per tick) and the
 * first N rows of the cached noise go through the fast graph (in one call, or integrated by the
 * sampler when the fast graph is a step graph); the last of the N rows is executed, at tick
 * {@code k + latency_steps}.
 */
final class TwoRateMode implements ModeStep {

    private final PolicyGraphs g;
    private final ResidualComposer residual;
    private final CachedNoise noise;
    private final Sampler sampler;
    private final TensorSlot slowObservation;
    private final TensorSlot slowConditioning;
    private final TensorSlot fastConditioning;
    private final TensorSlot fastWrench;
    private final TensorSlot fastNoise;
    private final TensorSlot fastActions;
    private final int a;
    private final int latency;
    private final int slowInterval;
    private final int frames;
    private final int featureDim;
    /** Ring of normalised observation frames (oldest overwritten) and of wrench frames. */
    private final float[] featureRing;
    private final float[] wrenchRing;
    private final float[] slowWindow;
    private final float[] wrenchWindow;
    private final float[] window;
    private long featureCount;
    private long wrenchCount;
    private long lastSlowTick = Long.MIN_VALUE;
    private long slowRuns;

    TwoRateMode(PolicyGraphs g, ResidualComposer residual, NoiseSource source) {
        this.g = g;
        this.residual = residual;
        PolicyBundle b = g.bundle;
        a = b.actionDim;
        latency = b.latencySteps;
        slowInterval = b.slowInterval;
        frames = b.observationFrames;
        featureDim = b.featureDim;
        noise = new CachedNoise(source, b.chunkLength * a);
        slowObservation = g.slow.input(TensorRole.OBSERVATION);
        slowConditioning = g.slow.output(TensorRole.CONDITIONING);
        fastConditioning = g.fast.input(TensorRole.CONDITIONING);
        fastWrench = g.fast.input(TensorRole.WRENCH_WINDOW);
        fastNoise = g.fast.input(TensorRole.NOISE);
        fastActions = g.fast.output(TensorRole.ACTIONS);
        sampler = fastActions != null ? null
                : new Sampler(noise, new GraphDenoiser(g.fast, a), FlowMode.integrator(b), new GuidanceTerm[0],
                        b.windowMax * a);
        featureRing = new float[frames * featureDim];
        wrenchRing = new float[b.windowMax * 6];
        slowWindow = new float[frames * featureDim];
        wrenchWindow = new float[b.windowMax * 6];
        window = new float[b.windowMax * a];
    }

    long slowRuns() {
        return slowRuns;
    }

    @Override
    public boolean compute(long tick, Observation obs, Prediction out) {
        g.normalise(obs);
        push(featureRing, frames, featureDim, featureCount++, g.features);
        push(wrenchRing, wrenchRing.length / 6, 6, wrenchCount++, g.wrench);
        if (lastSlowTick == Long.MIN_VALUE || tick - lastSlowTick >= slowInterval) {
            slowUpdate(tick);
        }
        int k = (int) (tick - lastSlowTick);
        int n = latency + k + frames;
        latest(wrenchRing, wrenchRing.length / 6, 6, wrenchCount, n, wrenchWindow);
        fastWrench.write(wrenchWindow, 0, n * 6);
        g.writeLatentAndState(g.fast);
        int length = n * a;
        if (sampler == null) {
            noise.fill(window, length);
            fastNoise.write(window, 0, length);
            g.fast.run(n);
            fastActions.read(window, 0, length);
        } else {
            sampler.sample(window, length);
        }
        // Execute the last row.
        System.arraycopy(window, (n - 1) * a, out.actions, 0, a);
        g.bundle.actionSpace.denormalise(out.actions, 0, 1);
        residual.compose(g, out.actions, 0, a);
        out.rows = 1;
        out.firstTick = tick + latency;
        out.commitFrom = out.firstTick;
        out.commitTo = out.firstTick;
        out.planFrom = out.firstTick - 1; // the previous row: the control side interpolates from it
        out.planTo = out.firstTick;
        return true;
    }

    private void slowUpdate(long tick) {
        latest(featureRing, frames, featureDim, featureCount, frames, slowWindow);
        slowObservation.write(slowWindow, 0, slowWindow.length);
        TensorSlot state = g.slow.input(TensorRole.STATE);
        if (state != null) {
            state.write(g.state, 0, g.state.length);
        }
        g.slow.run();
        // The cache: the conditioning stays bound in the fast graph until the next slow update.
        for (int i = 0; i < slowConditioning.capacity; i++) {
            fastConditioning.floats.put(i, slowConditioning.floats.get(i));
        }
        // z follows the slow (image) rate: the residual sees the latent of the last slow update.
        g.computeLatent();
        noise.refresh();
        lastSlowTick = tick;
        slowRuns++;
    }

    /** Appends frame {@code index} (0-based count of frames so far) to a ring of {@code slots} frames. */
    private static void push(float[] ring, int slots, int width, long index, float[] frame) {
        System.arraycopy(frame, 0, ring, (int) (index % slots) * width, width);
    }

    /**
     * Writes the latest {@code n} frames of the ring, oldest first, into {@code out}; before
     * {@code n} frames exist the oldest one stands in for the missing ones.
     */
    private static void latest(float[] ring, int slots, int width, long count, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            long frame = count - n + i;
            long oldest = Math.max(0, count - slots);
            frame = Math.max(frame, oldest);
            System.arraycopy(ring, (int) (frame % slots) * width, out, i * width, width);
        }
    }

    @Override
    public void shadow(long tick, Observation obs, Prediction out) {
        compute(tick, obs, out);
    }

    @Override
    public void retry(long tick) {
        // Every tick computes anyway.
    }

    @Override
    public void reset() {
        lastSlowTick = Long.MIN_VALUE;
        featureCount = 0;
        wrenchCount = 0;
    }
}
