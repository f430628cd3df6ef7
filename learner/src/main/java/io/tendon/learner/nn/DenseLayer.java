package io.tendon.learner.nn;

/**
 * One linear layer of one ensemble member, copied out for export:
 * {@code y = relu?(layerNorm?(x W + b))} with W row-major {@code in x out}. LayerNorm uses
 * epsilon {@link EnsembleNet#LAYER_NORM_EPS} over the layer's outputs and then scales and
 * shifts by {@code lnScale}, {@code lnBias} (null when the layer has none).
 */
public record DenseLayer(int in, int out, float[] weight, float[] bias, float[] lnScale, float[] lnBias, boolean relu) {
}
