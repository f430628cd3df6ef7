package io.tendon.learner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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

    @Valid
    Replay replay();

    @Valid
    Quality quality();

    @Valid
    Demo demo();

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

        /**
         * Longest time between offset commits while records are processed, milliseconds
         * (0-60000; 0: commit after every batch). Offsets are only ever committed for records
         * already in replay; a longer interval means fewer commit requests and offset writes on
         * the broker, and at most that much more to re-read (and de-duplicate) after a crash.
         */
        @WithDefault("200")
        @Min(0)
        @Max(60000)
        int commitIntervalMs();

        /**
         * Most experience-to-replay latencies timed per window of about a second (0-1000000; 0:
         * every live insert, recorded at once). Below this many live inserts per window every one
         * is timed; above it a uniform random sample of this many, recorded when the window ends
         * (at most a second later, or when ingest goes idle), so the percentiles stay unbiased
         * while the histogram's cost per record all but vanishes. Memory: 16 bytes per sample.
         */
        @WithDefault("10000")
        @Min(0)
        @Max(1000000)
        int latencySamplesPerSecond();

        /** Back-off after a failed batch (broker away), milliseconds (10-60000). */
        @WithDefault("500")
        @Min(10)
        @Max(60000)
        int retryBackoffMs();

        /**
         * Most bytes fetched per partition in one request, bytes (65536-67108864). The default
         * equals Kafka's ConsumerPerformance tool, so the benchmark compares like with like.
         */
        @WithDefault("1048576")
        @Min(65536)
        @Max(67108864)
        int maxPartitionFetchBytes();

        /** TCP receive buffer of the consumer, bytes (65536-67108864; ConsumerPerformance's default). */
        @WithDefault("2097152")
        @Min(65536)
        @Max(67108864)
        int receiveBufferBytes();

        /**
         * Verify the CRC32C of every fetched record batch (Kafka's check.crcs). On by default:
         * it catches corruption between the broker's append (which checks it too) and replay.
         * About a third of a microsecond per 2.3 KB record on the consumer thread; a deployment
         * whose broker traffic is already integrity-protected (TLS) may turn it off.
         */
        @WithDefault("true")
        boolean checkCrcs();

        /**
         * Highest accepted Transition.step (chunks per episode) plus one (1-16777216); a larger
         * step is dead-lettered as BAD_ID. Bounds the per-episode de-duplication index.
         */
        @WithDefault("100000")
        @Min(1)
        @Max(16_777_216)
        int maxEpisodeSteps();

        /**
         * Decode, validate and insert a batch on a second thread while the consumer thread
         * fetches the next one; off: one thread does both.
         */
        @WithDefault("true")
        boolean pipelined();

        /** Also consume the episode-events topic for episode outcomes (quality scoring). */
        @WithDefault("true")
        boolean episodeEvents();
    }

    /** Where ingest starts on a partition it has no checkpointed position for. */
    enum RebuildFrom {
        /** Re-read the partition from the oldest retained record: the replay is rebuilt from the log. */
        RETENTION_START,
        /** Continue from the consumer group's committed offset: fast, but the replay starts empty. */
        COMMITTED
    }

    /** The replay buffer (issue 5): tables, mixing, prioritised sampling, rate limiter, checkpoints. */
    interface Replay {
        @Valid
        Capacity capacity();

        @Valid
        Mix mix();

        @Valid
        Priority priority();

        @Valid
        @WithName("rate-limit")
        RateLimit rateLimit();

        @Valid
        Checkpoint checkpoint();

        /** Where a partition without a checkpointed position starts (see {@link RebuildFrom}). */
        @WithDefault("RETENTION_START")
        @WithName("rebuild-from")
        RebuildFrom rebuildFrom();

        /** Rows per table; FIFO eviction beyond. capacity x (H x A) must stay below 2^31. */
        interface Capacity {
            /** DEMO table, rows (1-100000000). */
            @WithDefault("20000")
            @Min(1)
            @Max(100_000_000)
            int demo();

            /** INTERVENTION table, rows (1-100000000). */
            @WithDefault("20000")
            @Min(1)
            @Max(100_000_000)
            int intervention();

            /** ROLLOUT table, rows (1-100000000). */
            @WithDefault("100000")
            @Min(1)
            @Max(100_000_000)
            int rollout();
        }

        /**
         * Share of each batch drawn from each table, relative weights (0-1 each, not all zero;
         * normalised to sum 1). A table with no sampleable row gives its share to the others in
         * proportion to their weights. Default RLPD-style: half offline (DEMO + INTERVENTION),
         * half online (ROLLOUT).
         */
        interface Mix {
            @WithDefault("0.25")
            @DecimalMin("0")
            @DecimalMax("1")
            double demo();

            @WithDefault("0.25")
            @DecimalMin("0")
            @DecimalMax("1")
            double intervention();

            @WithDefault("0.5")
            @DecimalMin("0")
            @DecimalMax("1")
            double rollout();
        }

        /** Prioritised sampling (PER): P(i) ~ p_i^alpha within a table, importance weights ^beta. */
        interface Priority {
            /** Off: uniform sampling within each table. */
            @WithDefault("false")
            boolean enabled();

            /** Priority exponent alpha, unitless (0-1; 0 is uniform). */
            @WithDefault("0.6")
            @DecimalMin("0")
            @DecimalMax("1")
            double alpha();

            /** Importance-sampling exponent beta, unitless (0-1; 1 fully corrects the bias). */
            @WithDefault("0.4")
            @DecimalMin("0")
            @DecimalMax("1")
            double beta();

            /** Added to |TD error| so no row's priority is zero, unitless (1e-9-1). */
            @WithDefault("1e-6")
            @DecimalMin("1e-9")
            @DecimalMax("1")
            double epsilon();
        }

        /**
         * Reverb's SampleToInsertRatio: sampling waits while inserts x samplesPerInsert - samples
         * would drop below minDiff, live ingest pauses while it would exceed maxDiff, with
         * minDiff/maxDiff = samplesPerInsert x minSizeToSample -/+ errorBuffer.
         */
        interface RateLimit {
            /** Off: only minSizeToSample applies (Reverb's MinSize limiter). */
            @WithDefault("true")
            boolean enabled();

            /** Target sampled rows per inserted row, unitless (0.001-1000000). */
            @WithDefault("256")
            @DecimalMin("0.001")
            @DecimalMax("1000000")
            double samplesPerInsert();

            /** Rows the replay must hold (all tables) before any sampling, rows (1-100000000). */
            @WithDefault("1000")
            @Min(1)
            @Max(100_000_000)
            long minSizeToSample();

            /**
             * Allowed deviation from the target, sampled rows (1-1e15). Must be at least
             * (batch size + samplesPerInsert) / 2, or sampling and ingest could wait on each other.
             */
            @WithDefault("65536")
            @DecimalMin("1")
            @DecimalMax("1e15")
            double errorBuffer();

            /** How long ReplayBuffer.sample waits for the limiter before returning false, milliseconds (0-3600000). */
            @WithDefault("1000")
            @Min(0)
            @Max(3_600_000)
            long sampleTimeoutMs();

            /**
             * Pause live ingest (consumer.pause, the consumer stays in its group) while the
             * trainer is behind by more than the error buffer; off: never throttle ingest.
             */
            @WithDefault("true")
            boolean throttleIngest();
        }

        /** Replay contents and ingest positions, written atomically by the ingest thread between batches. */
        interface Checkpoint {
            @WithDefault("true")
            boolean enabled();

            /** Directory of replay checkpoints (ckpt-N/ parts and a LATEST pointer). */
            @WithDefault(".tendon/checkpoints/replay")
            Path directory();

            /** Seconds between checkpoints (1-86400); one is also written at shutdown. */
            @WithDefault("300")
            @Min(1)
            @Max(86400)
            int intervalSeconds();

            /** Complete checkpoints kept (1-100); older ones are deleted. */
            @WithDefault("2")
            @Min(1)
            @Max(100)
            int keep();
        }
    }

    /**
     * Episode quality (ALGORITHMS.md section 7): a completed episode's rows get a weight from
     * its success, duration, jerk, peak force and intervention share; weight 0 filters it out.
     */
    interface Quality {
        /** Off: every row has weight 1. */
        @WithDefault("true")
        boolean enabled();

        /** Weight of rows whose episode has not ended yet, unitless (0-1; 0 holds them back until scored). */
        @WithDefault("1")
        @DecimalMin("0")
        @DecimalMax("1")
        double pendingWeight();

        /** Factor for an episode that did not succeed, unitless (0-1; 1 keeps failures, which the critic needs). */
        @WithDefault("1")
        @DecimalMin("0")
        @DecimalMax("1")
        double failureWeight();

        /** Factor per violated threshold below, unitless (0-1; 0 filters the episode out). */
        @WithDefault("0")
        @DecimalMin("0")
        @DecimalMax("1")
        double violationWeight();

        /** A weight below this becomes 0 (filtered), unitless (0-1). */
        @WithDefault("0.01")
        @DecimalMin("0")
        @DecimalMax("1")
        double minWeight();

        /** Longest acceptable episode, seconds (0.001-1e6). */
        @WithDefault("600")
        @DecimalMin("0.001")
        @DecimalMax("1e6")
        double maxDurationS();

        /** Largest acceptable RMS jerk of the executed TCP position, m/s^3 (0.001-1e12). */
        @WithDefault("1000")
        @DecimalMin("0.001")
        @DecimalMax("1e12")
        double maxJerkMPerS3();

        /** Largest acceptable peak contact force, N (0.001-1e6). */
        @WithDefault("200")
        @DecimalMin("0.001")
        @DecimalMax("1e6")
        double maxPeakForceN();

        /** Largest acceptable share of steps under human control, unitless (0-1; 1 never filters). */
        @WithDefault("1")
        @DecimalMin("0")
        @DecimalMax("1")
        double maxInterventionShare();

        /**
         * Without an outcome event, a terminated episode succeeded when the last valid reward of
         * its final chunk is at least this, reward units (-1e6-1e6).
         */
        @WithDefault("1")
        @DecimalMin("-1e6")
        @DecimalMax("1e6")
        double successReward();

        /** Time between two action rows of a chunk (jerk and duration), milliseconds (0.01-10000). */
        @WithDefault("100")
        @DecimalMin("0.01")
        @DecimalMax("10000")
        double actionPeriodMs();

        /** Outcome events remembered for episodes not seen yet (1-10000000). */
        @WithDefault("10000")
        @Min(1)
        @Max(10_000_000)
        int maxOrphanEvents();
    }

    /** Demonstration files loaded into the DEMO table at start-up (README: demo file format). */
    interface Demo {
        /** Files of length-delimited Transition protobufs (Transition.writeDelimitedTo); none by default. */
        @WithName("files")
        Optional<List<Path>> files();
    }
}
