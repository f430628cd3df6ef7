package io.tendon.learner.config;

import io.smallrye.config.WithDefault;

/**
 * tendon.bc.*: the base head trained by BC warm-up; hidden, layer-norm, learning-rate and grad-clip
 * as in {@link NetworkConfig}.
 */
public interface BcConfig extends NetworkConfig {

    /** AdamW learning rate (bounds in {@link NetworkConfig}); redeclared for the BC head's own default. */
    @Override
    @WithDefault("1e-3")
    double learningRate();

    /** Weight chunks by their advantage (tendon.advantage.*) whenever a trained critic exists. */
    @WithDefault("true")
    boolean advantageWeighted();

    /** After BC warm-up, export the head, verify it and use it as the frozen base policy (and publish it). */
    @WithDefault("true")
    boolean replaceBase();
}
