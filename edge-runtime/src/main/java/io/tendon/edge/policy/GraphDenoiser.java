package io.tendon.edge.policy;

import io.tendon.schemas.v1.TensorRole;

/**
 * A {@link Denoiser} over a bound step graph: SAMPLE and FLOW_TIME in, VELOCITY or EPSILON out.
 * For a windowed (FAST) graph the sample length selects the window N = length / actionDim.
 */
public final class GraphDenoiser implements Denoiser {

    private final BoundGraph graph;
    private final TensorSlot sample;
    private final TensorSlot time;
    private final TensorSlot prediction;
    private final int rowLength;

    /** @param rowLength elements per window row (A) when the graph is windowed, else ignored */
    public GraphDenoiser(BoundGraph graph, int rowLength) {
        this.graph = graph;
        this.sample = graph.input(TensorRole.SAMPLE);
        this.time = graph.input(TensorRole.FLOW_TIME);
        TensorSlot v = graph.output(TensorRole.VELOCITY);
        this.prediction = v != null ? v : graph.output(TensorRole.EPSILON);
        this.rowLength = rowLength;
    }

    @Override
    public void predict(float[] x, int length, double t, float[] out) {
        sample.write(x, 0, length);
        time.fill(t);
        if (sample.windowed()) {
            graph.run(length / rowLength);
        } else {
            graph.run();
        }
        prediction.read(out, 0, length);
    }
}
