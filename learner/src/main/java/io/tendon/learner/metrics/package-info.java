/**
 * Operations meters of the learner that the trainer, the checkpoints and the Kafka clients
 * report into: checkpoint duration, failures and age; trainer step failures and step time;
 * publishing and signing failures and the time since the last update went out; the Kafka
 * clients' own metrics (consumer lag). Depends on Micrometer and Kafka only, so any package may
 * use it without a cycle.
 */
package io.tendon.learner.metrics;
