/**
 * The trainer: the staged loop (BC warm-up, offline critic, online residual) on its own thread,
 * the contract through which it gets batches ({@link io.tendon.learner.train.BatchSource},
 * {@link io.tendon.learner.train.TrainingData}, served by the replay), export-verify-publish on a
 * cadence, status and metrics, and checkpoint/resume. The update rules themselves live in
 * {@code algo}. May import every learner package but grpc.
 */
package io.tendon.learner.train;
