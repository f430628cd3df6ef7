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
 * @param insertsPerSecond rows inserted into the replay per second over the last 10 s
 * @param samplesPerInsert the achieved ratio: rows sampled for training (mixed and BC batches) per
 *                         row inserted, over the last 10 s (0 while nothing was inserted); the
 *                         limiter bounds it by tendon.replay.rate-limit.samples-per-insert
 * @param updatesPerInsert the achieved update-to-data ratio: critic updates per row inserted, over
 *                         the last 10 s (0 while nothing was inserted)
 */
public record TrainingStatus(Stage stage, long stageSteps, Map<String, Long> steps, Map<String, Double> losses,
        double stepsPerSecond, long lastPublishedVersion, long exportsRefused, long publishFailures,
        boolean waitingForData, String lastProblem, String blockedReason, Map<String, Long> blockedCounts,
        double insertsPerSecond, double samplesPerInsert, double updatesPerInsert) {
}
