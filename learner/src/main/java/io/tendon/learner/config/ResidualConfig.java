package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;

/** tendon.residual.*: the BORA residual of ALGORITHMS.md section 5, with the RL-token edit options. */
public interface ResidualConfig {

    /** Hidden layer widths (each 1-8192). */
    @WithDefault("256,256")
    @NotEmpty
    List<@Min(1) @Max(8192) Integer> hidden();

    /** LayerNorm after every hidden linear layer. */
    @WithDefault("false")
    boolean layerNorm();

    /** AdamW learning rate (1e-8-1). */
    @WithDefault("3e-4")
    @DecimalMin("1e-8")
    @DecimalMax("1")
    double learningRate();

    /** Gradient-norm clip (0-1e6); 0 disables clipping. */
    @WithDefault("10")
    @DecimalMin("0")
    @DecimalMax("1e6")
    double gradClip();

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
