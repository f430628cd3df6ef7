package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * tendon.layout.*: the Transition layout this learner accepts (ALGORITHMS.md notation): anything
 * else is dead-lettered with reason LAYOUT_VERSION or DIMENSION.
 */
public interface LayoutConfig {

    /** Layout version (1-1000). */
    @WithDefault("1")
    @Min(1)
    @Max(1000)
    int version();

    /** Length of Observation.latent (0-65536). */
    @WithDefault("40")
    @Min(0)
    @Max(65536)
    int latentDim();

    /** Length of Observation.proprio (1-4096). */
    @WithDefault("12")
    @Min(1)
    @Max(4096)
    int proprioDim();

    /** Length of Observation.wrench (0-4096). */
    @WithDefault("12")
    @Min(0)
    @Max(4096)
    int wrenchDim();

    /** Chunk length H, policy steps (1-256). */
    @WithDefault("16")
    @Min(1)
    @Max(256)
    int horizon();

    /** Action row length A (1-256). */
    @WithDefault("13")
    @Min(1)
    @Max(256)
    int actionDim();
}
