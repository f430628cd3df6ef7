package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * tendon.quality.*: episode quality (ALGORITHMS.md section 7): a completed episode's rows get a
 * weight from its success, duration, jerk, peak force and intervention share; weight 0 filters it out.
 */
public interface QualityConfig {

    /** Off: every row has weight 1. */
    @WithDefault("true")
    boolean enabled();

    /** Weight of rows whose episode has not ended yet, unitless (0-1; 0 holds them back until scored). */
    @WithDefault("1")
    @DecimalMin("0")
    @DecimalMax("1")
    double pendingWeight();

    /** Factor for an episode that did not succeed, unitless (0-1; 1 keeps failures, which the critic needs). */
    @WithDefault("1")
    @DecimalMin("0")
    @DecimalMax("1")
    double failureWeight();

    /** Factor per violated threshold below, unitless (0-1; 0 filters the episode out). */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("1")
    double violationWeight();

    /** A weight below this becomes 0 (filtered), unitless (0-1). */
    @WithDefault("0.01")
    @DecimalMin("0")
    @DecimalMax("1")
    double minWeight();

    /** Longest acceptable episode, seconds (0.001-1e6). */
    @WithDefault("600")
    @DecimalMin("0.001")
    @DecimalMax("1e6")
    double maxDurationS();

    /** Largest acceptable RMS jerk of the executed TCP position, m/s^3 (0.001-1e12). */
    @WithDefault("1000")
    @DecimalMin("0.001")
    @DecimalMax("1e12")
    double maxJerkMPerS3();

    /** Largest acceptable peak contact force, N (0.001-1e6). */
    @WithDefault("200")
    @DecimalMin("0.001")
    @DecimalMax("1e6")
    double maxPeakForceN();

    /** Largest acceptable share of steps under human control, unitless (0-1; 1 never filters). */
    @WithDefault("1")
    @DecimalMin("0")
    @DecimalMax("1")
    double maxInterventionShare();

    /**
     * Without an outcome event, a terminated episode succeeded when the last valid reward of
     * its final chunk is at least this, reward units (-1e6-1e6).
     */
    @WithDefault("1")
    @DecimalMin("-1e6")
    @DecimalMax("1e6")
    double successReward();

    /** Time between two action rows of a chunk (jerk and duration), milliseconds (0.01-10000). */
    @WithDefault("100")
    @DecimalMin("0.01")
    @DecimalMax("10000")
    double actionPeriodMs();

    /** Outcome events remembered for episodes not seen yet (1-10000000). */
    @WithDefault("10000")
    @Min(1)
    @Max(10_000_000)
    int maxOrphanEvents();
}
