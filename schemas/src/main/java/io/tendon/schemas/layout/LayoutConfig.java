package io.tendon.schemas.layout;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * {@code tendon.layout.*}: the transition layout, declared once for both services (the edge
 * publishes it, the learner accepts nothing else), with its bounds, validated at start-up.
 * Set the same values on both sides; a learner dead-letters transitions of another layout.
 */
@ConfigMapping(prefix = "tendon.layout")
public interface LayoutConfig {

    /** Layout version (1-1000). */
    @WithDefault("1")
    @Min(TransitionLayout.MIN_VERSION)
    @Max(TransitionLayout.MAX_VERSION)
    int version();

    /** Length of Observation.latent (0-65536): the critic's latent z, the robot's observation features. */
    @WithDefault("40")
    @Min(TransitionLayout.MIN_LATENT_DIM)
    @Max(TransitionLayout.MAX_LATENT_DIM)
    int latentDim();

    /** Length of Observation.proprio (1-4096). */
    @WithDefault("12")
    @Min(TransitionLayout.MIN_PROPRIO_DIM)
    @Max(TransitionLayout.MAX_PROPRIO_DIM)
    int proprioDim();

    /** Length of Observation.wrench (0-4096). */
    @WithDefault("12")
    @Min(TransitionLayout.MIN_WRENCH_DIM)
    @Max(TransitionLayout.MAX_WRENCH_DIM)
    int wrenchDim();

    /** Chunk length H, policy steps (1-256). */
    @WithDefault("16")
    @Min(TransitionLayout.MIN_HORIZON)
    @Max(TransitionLayout.MAX_HORIZON)
    int horizon();

    /** Action row length A (1-256). */
    @WithDefault("13")
    @Min(TransitionLayout.MIN_ACTION_DIM)
    @Max(TransitionLayout.MAX_ACTION_DIM)
    int actionDim();

    /** The validated layout as a value. */
    default TransitionLayout layout() {
        return new TransitionLayout(version(), latentDim(), proprioDim(), wrenchDim(), horizon(), actionDim());
    }
}
