package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * tendon.bc.*: the base head trained by BC warm-up; hidden, layer-norm, learning-rate and grad-clip
 * as in {@link NetworkConfig}.
 */
public interface BcConfig extends NetworkConfig {

    /** AdamW learning rate (bounds in {@link NetworkConfig}); redeclared for the BC head's own default. */
    @Override
    @WithDefault("1e-3")
    double learningRate();

    /**
     * ONLINE_HEAD: weight chunks by their advantage (tendon.advantage.*); false makes the head
     * stage plain BC on the mixed replay (the person's steps of interventions, every step of the rest).
     */
    @WithDefault("true")
    boolean advantageWeighted();

    /**
     * Transitions, 1-1e7: DEMO rows that can be trained on (quality weight above 0) the replay must
     * hold before BC warm-up takes its first step; the training units (per-dimension statistics)
     * are taken from them then and frozen. Without BC_WARMUP, the units come from every table once
     * it holds this many such rows.
     */
    @WithDefault("1000")
    @Min(1)
    @Max(10_000_000)
    int minTransitions();

    /** After BC warm-up, export the head, verify it and use it as the frozen base policy (and publish it). */
    @WithDefault("true")
    boolean replaceBase();
}
