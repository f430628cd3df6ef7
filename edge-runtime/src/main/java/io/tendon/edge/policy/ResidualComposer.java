package io.tendon.edge.policy;

import io.tendon.schemas.v1.TensorRole;

/**
 * Residual composition (ALGORITHMS.md section 5): {@code a = a_base + lambda * res(z, state, a_base)},
 * in raw action units, over whatever the mode produced (a whole chunk, or one executed row in
 * two-rate mode). Without a residual graph it leaves the actions as they are.
 */
final class ResidualComposer {

    private final BoundGraph graph;
    private final TensorSlot base;
    private final TensorSlot correction;
    private final float lambda;
    private final float[] delta;

    ResidualComposer(BoundGraph graph, double lambda) {
        this.graph = graph;
        this.lambda = (float) lambda;
        this.base = graph == null ? null : graph.input(TensorRole.ACTIONS);
        this.correction = graph == null ? null : graph.output(TensorRole.CORRECTION);
        this.delta = graph == null ? new float[0] : new float[correction.capacity];
    }

    boolean present() {
        return graph != null;
    }

    /** {@code actions[offset, offset + length)} += lambda * res(latent, state, actions). */
    void compose(PolicyGraphs g, float[] actions, int offset, int length) {
        if (graph == null) {
            return;
        }
        g.writeLatentAndState(graph);
        base.write(actions, offset, length);
        graph.run();
        correction.read(delta, 0, length);
        for (int i = 0; i < length; i++) {
            actions[offset + i] += lambda * delta[i];
        }
    }
}
