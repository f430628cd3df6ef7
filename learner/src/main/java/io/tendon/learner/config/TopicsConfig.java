package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** tendon.topics.*: the Kafka topics the learner reads and writes, and whether it creates them. */
public interface TopicsConfig {

    @WithDefault("tendon.transitions")
    @NotBlank
    String transitions();

    /** Where invalid transitions go, with the reason in the header tendon.dead-letter.reason. */
    @WithDefault("tendon.transitions.dlq")
    @NotBlank
    String deadLetter();

    @WithDefault("tendon.policy-updates")
    @NotBlank
    String policyUpdates();

    @WithDefault("tendon.episode-events")
    @NotBlank
    String episodeEvents();

    /** Create missing topics at start-up (off where an operator such as Strimzi owns them). */
    @WithDefault("true")
    boolean create();

    /** Partitions of a created transitions topic (1-1024); key = robot id, so at most one robot's order per partition. */
    @WithDefault("4")
    @Min(1)
    @Max(1024)
    int transitionPartitions();

    /** Retention of a created transitions topic, hours (1-87600); -1 keeps forever. */
    @WithDefault("-1")
    @Min(-1)
    @Max(87600)
    int transitionRetentionHours();
}
