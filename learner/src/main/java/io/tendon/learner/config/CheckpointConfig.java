package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** tendon.checkpoint.*: what the trainer writes to resume after a restart. */
public interface CheckpointConfig {

    /** Directory of the checkpoint store. */
    @WithDefault(".tendon/checkpoints/training")
    @NotBlank
    String dir();

    /** Checkpoint every N gradient steps (0-1e9); 0: not by steps. */
    @WithDefault("10000")
    @Min(0)
    @Max(1_000_000_000)
    long everySteps();

    /** Checkpoint every N seconds (0-86400); 0: not by time. */
    @WithDefault("300")
    @Min(0)
    @Max(86400)
    int everySeconds();

    /** Checkpoints kept (1-100). */
    @WithDefault("3")
    @Min(1)
    @Max(100)
    int keep();

    /** Resume from the latest checkpoint at start-up. */
    @WithDefault("true")
    boolean resume();
}
