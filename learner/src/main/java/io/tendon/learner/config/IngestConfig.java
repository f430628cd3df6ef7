package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** tendon.ingest.*: the ingest consumer: its group, polling, commits, fetch tuning and record checks. */
public interface IngestConfig {

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
