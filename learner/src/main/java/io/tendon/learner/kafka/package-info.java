/**
 * Plain Kafka clients built from the application's kafka.* settings, and the topics created at
 * start-up. May import config only.
 */
package io.tendon.learner.kafka;
