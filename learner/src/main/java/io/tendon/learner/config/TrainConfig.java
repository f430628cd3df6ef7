package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/** tendon.train.*: the trainer loop, its stages and the compute it runs on. */
public interface TrainConfig {

    /** Run the trainer thread at start-up. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Stages to run, in order (BC_WARMUP, OFFLINE_CRITIC, ONLINE_HEAD, ONLINE_RESIDUAL); each at
     * most once, the online ones last. ONLINE_HEAD and ONLINE_RESIDUAL both listed alternate, one
     * head and one residual update per online step.
     */
    @WithDefault("BC_WARMUP,OFFLINE_CRITIC,ONLINE_RESIDUAL")
    @NotEmpty
    List<Stage> stages();

    /** Gradient steps of BC warm-up (0-1e9). */
    @WithDefault("2000")
    @Min(0)
    @Max(1_000_000_000)
    long bcSteps();

    /** Gradient steps of the offline critic stage (0-1e9). */
    @WithDefault("5000")
    @Min(0)
    @Max(1_000_000_000)
    long offlineCriticSteps();

    /**
     * Online steps (0-1e9; one step = the critic updates, then one head and/or one residual
     * update); 0 runs until the learner stops.
     */
    @WithDefault("0")
    @Min(0)
    @Max(1_000_000_000)
    long onlineSteps();

    /** Critic updates per online step (0-64); 0 keeps Q frozen as in BORA. */
    @WithDefault("1")
    @Min(0)
    @Max(64)
    int onlineCriticUpdates();

    /** Rows per gradient step (1-65536). */
    @WithDefault("256")
    @Min(1)
    @Max(65536)
    int batchSize();

    /** Seed of every random choice (weight init, subsets, noise, dropout). */
    @WithDefault("1")
    long seed();

    /**
     * LibTorch intra-op threads (1-256). Always set: left to itself OpenMP and OpenBLAS
     * oversubscribe the cores and a step gets 10-20x slower.
     */
    @WithDefault("1")
    @Min(1)
    @Max(256)
    int threads();

    /** cpu, cuda or cuda:N; cuda falls back to cpu (one log line) when no GPU is usable. */
    @WithDefault("cpu")
    @Pattern(regexp = "cpu|cuda(:[0-9]{1,2})?")
    String device();

    /** Sleep while the replay has nothing to sample, milliseconds (1-60000). */
    @WithDefault("200")
    @Min(1)
    @Max(60000)
    int idleWaitMs();
}
