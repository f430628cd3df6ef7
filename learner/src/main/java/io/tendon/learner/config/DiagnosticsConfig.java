package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * tendon.diagnostics.*: how Diagnostics/Evaluate shares the critic with the trainer. An evaluation
 * runs between two gradient steps, under the trainer's lock, so callers are let in one at a time
 * and each waits a bounded time: the trainer is never held up by more than one evaluation.
 */
public interface DiagnosticsConfig {

    /**
     * How long a call waits for its turn and then for the trainer to finish its step, ms (1-60000);
     * beyond it the call ends with UNAVAILABLE (the trainer was busy) or RESOURCE_EXHAUSTED (other
     * callers held every turn).
     */
    @WithDefault("1000")
    @Min(1)
    @Max(60_000)
    int maxWaitMs();

    /** Evaluations at once (1-64); each holds the trainer's lock while it runs. */
    @WithDefault("1")
    @Min(1)
    @Max(64)
    int maxConcurrent();
}
