package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;

/**
 * tendon.replay.*: the replay buffer (issue 5): tables, mixing, prioritised sampling, rate limiter,
 * checkpoints.
 */
public interface ReplayConfig {

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

    /**
     * Prioritised sampling (PER): P(i) ~ p_i^alpha within a table, importance weights ^beta. The
     * priorities are the TD errors of the critic steps (offline and online): after each one, every
     * row of its batch gets {@code (mean_k |Q_k(s, a) - y| + epsilon)^alpha}; new rows get the
     * largest priority seen. Every batch (BC, head and residual ones too) is drawn by priority and
     * weighted back by the importance weights.
     */
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
         * Off (default): the limiter bounds the trainer only (at most samples-per-insert sampled
         * rows per row inserted beyond the minimum size); live ingest never waits and the tables
         * evict their oldest rows.
         * On: Reverb's exact semantics, live ingest pauses (consumer.pause, the consumer stays in
         * its group) while the trainer is behind by more than the error buffer. Robots cannot be
         * slowed through Kafka, so on a fleet that means a growing consumer lag and training on
         * stale data: use it only where the data source can wait (replaying a log, a benchmark).
         */
        @WithDefault("false")
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
