package io.tendon.learner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * Every learner setting, declared once with its unit and bounds; Quarkus validates them at
 * start-up and refuses to start with a message naming the key.
 */
@ConfigMapping(prefix = "tendon")
public interface LearnerConfig {

    /** Identity written into provenance and status; [A-Za-z0-9._-], 1-64 characters. */
    @WithDefault("learner-0")
    @Pattern(regexp = "[A-Za-z0-9._-]{1,64}")
    String learnerId();

    @Valid
    Topics topics();

    @Valid
    Layout layout();

    @Valid
    Ingest ingest();

    // ---- Training (issue 6): each group lives in its own file of this package. ----

    @Valid
    TrainConfig train();

    @Valid
    CriticConfig critic();

    @Valid
    ValueConfig value();

    @Valid
    CqlConfig cql();

    @Valid
    AdvantageConfig advantage();

    @Valid
    ResidualConfig residual();

    @Valid
    BcConfig bc();

    @Valid
    PolicyConfig policy();

    @Valid
    ExportConfig export();

    @Valid
    PublishConfig publish();

    @Valid
    CheckpointConfig checkpoint();

    interface Topics {
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

    /**
     * The Transition layout this learner accepts (ALGORITHMS.md notation): anything else is
     * dead-lettered with reason LAYOUT_VERSION or DIMENSION.
     */
    interface Layout {
        /** Layout version (1-1000). */
        @WithDefault("1")
        @Min(1)
        @Max(1000)
        int version();

        /** Length of Observation.latent (0-65536). */
        @WithDefault("40")
        @Min(0)
        @Max(65536)
        int latentDim();

        /** Length of Observation.proprio (1-4096). */
        @WithDefault("12")
        @Min(1)
        @Max(4096)
        int proprioDim();

        /** Length of Observation.wrench (0-4096). */
        @WithDefault("12")
        @Min(0)
        @Max(4096)
        int wrenchDim();

        /** Chunk length H, policy steps (1-256). */
        @WithDefault("16")
        @Min(1)
        @Max(256)
        int horizon();

        /** Action row length A (1-256). */
        @WithDefault("13")
        @Min(1)
        @Max(256)
        int actionDim();
    }

    interface Ingest {
        /** Consumer group of the learners of one policy. */
        @WithDefault("tendon-learner")
        @NotBlank
        String groupId();

        /** Upper bound of one poll, milliseconds (1-10000). */
        @WithDefault("100")
        @Min(1)
        @Max(10000)
        int pollTimeoutMs();

        /** Records per poll (1-100000). */
        @WithDefault("2000")
        @Min(1)
        @Max(100000)
        int maxPollRecords();

        /** A transition whose start time lies further in the future than this is rejected, seconds (0-86400). */
        @WithDefault("300")
        @Min(0)
        @Max(86400)
        int maxClockSkewSeconds();

        /** Back-off after a failed batch (broker away), milliseconds (10-60000). */
        @WithDefault("500")
        @Min(10)
        @Max(60000)
        int retryBackoffMs();
    }
}
