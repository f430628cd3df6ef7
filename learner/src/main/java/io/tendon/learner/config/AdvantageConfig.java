package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** tendon.advantage.*: ALOE's policy-averaged V(s) and the chunk weights of ALGORITHMS.md section 4. */
public interface AdvantageConfig {

    /**
     * Chunks M sampled from the current policy to average V(s) over (1-256); used only when the
     * policy is stochastic (tendon.policy.sample-noise-std > 0, or M > 1 base chunks from the
     * robots), a deterministic policy is evaluated once.
     */
    @WithDefault("8")
    @Min(1)
    @Max(256)
    int valueSamples();

    /** EXP: w = min(exp(beta * A), max-weight); FILTER: w = 1[A > 0]. */
    @WithDefault("EXP")
    Mode mode();

    /** Inverse temperature beta of EXP weights, 1/Q units (0-100). */
    @WithDefault("1")
    @DecimalMin("0")
    @DecimalMax("100")
    double beta();

    /** Clip w_max of EXP weights (1-1e6). */
    @WithDefault("20")
    @DecimalMin("1")
    @DecimalMax("1e6")
    double maxWeight();

    enum Mode {
        EXP,
        FILTER
    }
}
