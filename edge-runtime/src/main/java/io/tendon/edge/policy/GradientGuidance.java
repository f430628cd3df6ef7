package io.tendon.edge.policy;

import io.tendon.schemas.v1.TensorRole;

/**
 * Guidance by a graph that returns the gradient of a cost with respect to the chunk (Latent
 * Policy Barrier: keep the dynamics model's predicted latent near the expert's). In the last
 * {@code fraction} of the steps only, {@code x <- x - scale * grad(x)}.
 */
public final class GradientGuidance implements GuidanceTerm {

    private final BoundGraph graph;
    private final TensorSlot sample;
    private final TensorSlot time;
    private final TensorSlot gradient;
    private final double scale;
    private final double fraction;
    private final float[] grad;

    public GradientGuidance(BoundGraph graph, double scale, double fraction) {
        this.graph = graph;
        this.sample = graph.input(TensorRole.SAMPLE);
        this.time = graph.input(TensorRole.FLOW_TIME);
        this.gradient = graph.output(TensorRole.GRADIENT);
        this.scale = scale;
        this.fraction = fraction;
        this.grad = new float[gradient.capacity];
    }

    /** Active in the last ceil(fraction * n) steps. */
    @Override
    public boolean activeAt(int i, int n) {
        // The fraction arrives as a float (0.3f is 0.30000001): a tolerance keeps ceil(3.0000001) at 3.
        return i >= n - (int) Math.ceil(fraction * n - 1e-5);
    }

    @Override
    public void apply(int i, double t, float[] x, int length) {
        sample.write(x, 0, length);
        if (time != null) {
            time.fill(t);
        }
        graph.run();
        gradient.read(grad, 0, length);
        float s = (float) scale;
        for (int k = 0; k < length; k++) {
            x[k] -= s * grad[k];
        }
    }
}
