/**
 * The update rules of ALGORITHMS.md sections 4-7, one file per algorithm: ensemble critic with
 * chunked n-step targets ({@link io.tendon.learner.algo.AloeCritic}), IQL expectile value and
 * offline critic ({@link io.tendon.learner.algo.IqlCritic}), CQL ({@link io.tendon.learner.algo.Cql}),
 * ALOE advantage weights ({@link io.tendon.learner.algo.AdvantageWeights}), the BORA residual
 * ({@link io.tendon.learner.algo.BoraResidual}) and BC warm-up ({@link io.tendon.learner.algo.BcWarmup}).
 * May import nn, policy (the base policy's actions) and replay (the batch); no Kafka, CDI or
 * scheduling: each update takes a batch and returns its statistics.
 */
package io.tendon.learner.algo;
