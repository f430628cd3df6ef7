package io.tendon.edge.policy;

/**
 * What the chunk-producing modes (CHUNK, FLOW) share: a new H x A chunk every
 * {@code exec_horizon} ticks (the next tick again after a failed or late one, from scratch after
 * a reset), and what happens to a computed chunk: denormalised, composed with the residual, and
 * cut into windows (row j is for tick k + j, the first {@code latency_steps} rows are dropped, the
 * next {@code exec_horizon} are committed). Policy thread only; allocation-free.
 */
abstract class ChunkedMode implements ModeStep {

    protected final PolicyGraphs g;
    protected final ResidualComposer residual;
    protected final int h;
    protected final int a;
    private final int latency;
    private final int exec;
    private long nextChunkTick = Long.MIN_VALUE;

    ChunkedMode(PolicyGraphs g, ResidualComposer residual) {
        this.g = g;
        this.residual = residual;
        PolicyBundle b = g.bundle;
        h = b.chunkLength;
        a = b.actionDim;
        latency = b.latencySteps;
        exec = b.execHorizon;
    }

    /** Computes a chunk every {@code exec_horizon} ticks; the next one is due that much later. */
    @Override
    public final boolean compute(long tick, Observation obs, Prediction out) {
        if (tick < nextChunkTick) {
            return false;
        }
        nextChunkTick = tick + exec;
        predict(tick, obs, out);
        return true;
    }

    @Override
    public final void shadow(long tick, Observation obs, Prediction out) {
        predict(tick, obs, out);
    }

    /** The chunk for {@code obs} at {@code tick}, in raw units, its windows set ({@link #finish}). */
    protected abstract void predict(long tick, Observation obs, Prediction out);

    /** The normalised chunk in {@code out.actions} becomes the raw, residual-corrected rows of tick {@code tick}. */
    protected final void finish(Prediction out, long tick) {
        g.bundle.actionSpace.denormalise(out.actions, 0, h);
        residual.compose(g, out.actions, 0, h * a);
        out.rows = h;
        out.firstTick = tick;
        out.commitFrom = tick + latency;
        out.commitTo = tick + latency + exec; // one past the horizon: the interpolation end point
        out.planFrom = tick;
        out.planTo = out.commitTo;
    }

    /** The chunk of {@code tick} was not published: try again at the next tick. */
    @Override
    public final void retry(long tick) {
        nextChunkTick = tick + 1;
    }

    @Override
    public final void reset() {
        nextChunkTick = Long.MIN_VALUE;
    }
}
