package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * tendon.critic.*: the Q ensemble of ALGORITHMS.md sections 4-6; hidden, layer-norm, learning-rate
 * and grad-clip as in {@link NetworkConfig}, plus the AdamW weight decay only the critic has.
 */
public interface CriticConfig extends NetworkConfig {

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

    /** Q-chunking: one Q head per chunk position i (masked by m_i) instead of one per chunk. */
    @WithDefault("false")
    boolean perStepHeads();

    /** Stacked weights run by batched matmul (true) or K separate networks (false); same numbers. */
    @WithDefault("true")
    boolean batched();

    /** AdamW decoupled weight decay (0-1). */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("1")
    double weightDecay();

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
