package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * tendon.residual.*: the BORA residual of ALGORITHMS.md section 5, with the RL-token edit options;
 * hidden, layer-norm, learning-rate and grad-clip as in {@link NetworkConfig}.
 */
public interface ResidualConfig extends NetworkConfig {

    /** LayerNorm after every hidden linear layer; redeclared for the residual's own default. */
    @Override
    @WithDefault("false")
    boolean layerNorm();

    /** Final residual scale lambda in a_final = a_base + lambda * res (0-1). */
    @WithDefault("0.1")
    @DecimalMin("0")
    @DecimalMax("1")
    double lambda();

    /** Residual steps over which lambda ramps linearly from 0 (0-1e9); 0 starts at lambda. */
    @WithDefault("1000")
    @Min(0)
    @Max(1_000_000_000)
    long lambdaRampSteps();

    /** Hinge margin delta, Q units (0-1e6). */
    @WithDefault("0.1")
    @DecimalMin("0")
    @DecimalMax("1e6")
    double margin();

    /** Weight of the BC term toward the reference chunk (the human's action where intervened) (0-1e6); 0 off. */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("1e6")
    double bcWeight();

    /** Probability that a row's reference chunk input is replaced by zeros (0-1). */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("1")
    double referenceDropout();
}
