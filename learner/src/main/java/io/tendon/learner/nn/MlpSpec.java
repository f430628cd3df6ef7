package io.tendon.learner.nn;

import java.util.List;

/**
 * Shape of an MLP: {@code in -> hidden... -> out}, ReLU after every hidden layer, optionally
 * LayerNorm between a hidden linear layer and its ReLU, optionally a zero output layer (so a
 * new network outputs exactly 0: a residual that starts equal to the base policy).
 */
public record MlpSpec(int inDim, List<Integer> hidden, int outDim, boolean layerNorm, boolean zeroInitOutput) {

    public MlpSpec {
        hidden = List.copyOf(hidden);
        if (inDim < 1 || outDim < 1) {
            throw new IllegalArgumentException("input and output widths must be positive, were " + inDim + ", " + outDim);
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("hidden widths must be positive, were " + hidden);
            }
        }
    }

    /** Widths of every layer boundary: in, hidden..., out. */
    public int[] dims() {
        int[] dims = new int[hidden.size() + 2];
        dims[0] = inDim;
        for (int i = 0; i < hidden.size(); i++) {
            dims[i + 1] = hidden.get(i);
        }
        dims[dims.length - 1] = outDim;
        return dims;
    }
}
