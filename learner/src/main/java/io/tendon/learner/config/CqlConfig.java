package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** tendon.cql.*: the optional conservative penalty of ALGORITHMS.md section 6. */
public interface CqlConfig {

    /** Penalty weight alpha (0-1000); 0 switches CQL off. */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("1000")
    double alpha();

    /** Chunks sampled from the current policy per state for the log-sum-exp (0-64). */
    @WithDefault("4")
    @Min(0)
    @Max(64)
    int policySamples();

    /** Uniform random chunks per state for the log-sum-exp (0-64). */
    @WithDefault("4")
    @Min(0)
    @Max(64)
    int uniformSamples();

    /** Lower bound of uniform chunk entries, training units (normalised actions; -1e6-1e6), where the bundle declares no bounds. */
    @WithDefault("-3")
    @DecimalMin("-1e6")
    @DecimalMax("1e6")
    double uniformLow();

    /** Upper bound of uniform chunk entries, training units (normalised actions; -1e6-1e6), where the bundle declares no bounds. */
    @WithDefault("3")
    @DecimalMin("-1e6")
    @DecimalMax("1e6")
    double uniformHigh();
}
