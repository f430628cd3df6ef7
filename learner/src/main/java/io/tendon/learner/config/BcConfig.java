package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;

/** tendon.bc.*: the base head trained by BC warm-up. */
public interface BcConfig {

    /** Hidden layer widths (each 1-8192). */
    @WithDefault("256,256")
    @NotEmpty
    List<@Min(1) @Max(8192) Integer> hidden();

    /** LayerNorm after every hidden linear layer. */
    @WithDefault("true")
    boolean layerNorm();

    /** AdamW learning rate (1e-8-1). */
    @WithDefault("1e-3")
    @DecimalMin("1e-8")
    @DecimalMax("1")
    double learningRate();

    /** Gradient-norm clip (0-1e6); 0 disables clipping. */
    @WithDefault("10")
    @DecimalMin("0")
    @DecimalMax("1e6")
    double gradClip();

    /** Weight chunks by their advantage (tendon.advantage.*) whenever a trained critic exists. */
    @WithDefault("true")
    boolean advantageWeighted();

    /** After BC warm-up, export the head, verify it and use it as the frozen base policy (and publish it). */
    @WithDefault("true")
    boolean replaceBase();
}
