/**
 * Every tendon.* setting, one interface per group under {@link io.tendon.learner.config.LearnerConfig},
 * each key declared once with unit, bounds and default. May import no other learner package.
 */
package io.tendon.learner.config;
