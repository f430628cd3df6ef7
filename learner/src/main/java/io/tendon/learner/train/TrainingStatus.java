package io.tendon.learner.train;

import io.tendon.learner.config.Stage;
import java.util.Map;

/**
 * What the trainer is doing, for status calls and metrics.
 *
 * @param waitingForData true while the current stage has nothing to sample
 * @param lastProblem the last refused export, failed publish or failed step ("" when none)
 * @param blockedReason while waiting: why the stage cannot sample (limiter, minimum size, every
 *                      row weighted 0, no demonstrations yet), "" otherwise
 * @param blockedCounts how often each reason (its text up to the first colon) stopped a step
 */
public record TrainingStatus(Stage stage, long stageSteps, Map<String, Long> steps, Map<String, Double> losses,
        double stepsPerSecond, long lastPublishedVersion, long exportsRefused, long publishFailures,
        boolean waitingForData, String lastProblem, String blockedReason, Map<String, Long> blockedCounts) {
}
