package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;

/** tendon.critic.*: the Q ensemble of ALGORITHMS.md sections 4-6. */
public interface CriticConfig {

    /** Ensemble members K (1-64). */
    @WithDefault("2")
    @Min(1)
    @Max(64)
    int ensembleSize();

    /** Size of the random subset the target takes its min over (1-64, at most ensemble-size). */
    @WithDefault("2")
    @Min(1)
    @Max(64)
    int targetSubset();

    /** Hidden layer widths (each 1-8192). */
    @WithDefault("256,256")
    @NotEmpty
    List<@Min(1) @Max(8192) Integer> hidden();

    /** LayerNorm after every hidden linear layer. */
    @WithDefault("true")
    boolean layerNorm();

    /** Q-chunking: one Q head per chunk position i (masked by m_i) instead of one per chunk. */
    @WithDefault("false")
    boolean perStepHeads();

    /** Stacked weights run by batched matmul (true) or K separate networks (false); same numbers. */
    @WithDefault("true")
    boolean batched();

    /** AdamW learning rate (1e-8-1). */
    @WithDefault("3e-4")
    @DecimalMin("1e-8")
    @DecimalMax("1")
    double learningRate();

    /** AdamW decoupled weight decay (0-1). */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("1")
    double weightDecay();

    /** Gradient-norm clip (0-1e6); 0 disables clipping. */
    @WithDefault("10")
    @DecimalMin("0")
    @DecimalMax("1e6")
    double gradClip();

    /** Polyak rate of the target networks, per update (0-1). */
    @WithDefault("0.005")
    @DecimalMin("0")
    @DecimalMax("1")
    double polyakTau();

    /** Per-step discount gamma (0-1). */
    @WithDefault("0.99")
    @DecimalMin("0")
    @DecimalMax("1")
    double gamma();
}
