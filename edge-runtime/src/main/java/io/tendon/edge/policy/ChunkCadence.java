package io.tendon.edge.policy;

/**
 * The per-chunk cadence of the chunk-producing modes (CHUNK, FLOW): a new chunk every
 * {@code exec_horizon} ticks, the next tick again after a failed or late one, from scratch
 * after a reset; and the windows of a chunk computed at tick k: row j is for tick k + j, the
 * first {@code latency_steps} rows are dropped, the next {@code exec_horizon} are committed.
 * Policy thread only.
 */
final class ChunkCadence {

    private final int h;
    private final int latency;
    private final int exec;
    private long nextChunkTick = Long.MIN_VALUE;

    ChunkCadence(PolicyBundle bundle) {
        h = bundle.chunkLength;
        latency = bundle.latencySteps;
        exec = bundle.execHorizon;
    }

    /** True when tick {@code tick} computes a chunk; then the next one is due {@code exec_horizon} later. */
    boolean due(long tick) {
        if (tick < nextChunkTick) {
            return false;
        }
        nextChunkTick = tick + exec;
        return true;
    }

    /** The chunk of {@code tick} was not published: try again at the next tick. */
    void retry(long tick) {
        nextChunkTick = tick + 1;
    }

    void reset() {
        nextChunkTick = Long.MIN_VALUE;
    }

    /** The windows of a chunk computed at {@code tick}. */
    void windows(Prediction out, long tick) {
        out.rows = h;
        out.firstTick = tick;
        out.commitFrom = tick + latency;
        out.commitTo = tick + latency + exec; // one past the horizon: the interpolation end point
        out.planFrom = tick;
        out.planTo = out.commitTo;
    }
}
