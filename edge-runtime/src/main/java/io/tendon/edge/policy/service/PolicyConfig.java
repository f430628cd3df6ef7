package io.tendon.edge.policy.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.tendon.edge.policy.ExecutionProvider;
import io.tendon.edge.policy.OptimisationLevel;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.util.Optional;

/**
 * The policy runtime's settings, each with its unit and bounds, validated at start-up (an
 * invalid value stops the service with an error naming the key). Without
 * {@code tendon.policy.bundle-dir} no policy runs and the robot is driven by whoever else
 * writes targets (scripted expert, teleoperation).
 */
@ConfigMapping(prefix = "tendon.policy")
public interface PolicyConfig {

    /** Directory of the policy bundle (manifest.json + ONNX graphs). Absent: no policy. */
    Optional<@Pattern(regexp = ".*\\S.*", message = "must name a directory") String> bundleDir();

    /** cpu or cuda. cuda needs the gpu build profile and a device; otherwise CPU, logged once. */
    @WithDefault("cpu")
    ExecutionProvider executionProvider();

    /** CUDA device ordinal (0-63). */
    @WithDefault("0")
    @Min(0)
    @Max(63)
    int cudaDeviceId();

    /** Threads one graph run may use (1-64). One keeps the other core free for the control loop. */
    @WithDefault("1")
    @Min(1)
    @Max(64)
    int intraOpThreads();

    /** ONNX Runtime graph optimisation: disabled, basic, extended or all. */
    @WithDefault("all")
    OptimisationLevel optimisationLevel();

    /** Runs of every graph at load, before the first real step (0-10000). */
    @WithDefault("10")
    @Min(0)
    @Max(10_000)
    int warmupRuns();

    /** Overrides the bundle's policy rate, Hz (0.1-4000, and at most the bundle's control_hz). */
    Optional<@DecimalMin("0.1") @DecimalMax("4000") Double> policyRateHz();

    /** Overrides the bundle's temporal ensembling decay k in w = exp(-k * age), per policy step (0-100). */
    Optional<@DecimalMin("0") @DecimalMax("100") Double> ensembleDecay();

    /** Seed of the initial-noise generator; absent: a random seed per start. */
    Optional<Long> noiseSeed();

    /** An observation older than this at its policy tick is not acted on, ms (1-10000). */
    @WithDefault("100")
    @Min(1)
    @Max(10_000)
    int maxObservationAgeMs();

    /** true: start the policy thread at start-up when a bundle is configured; false: call PolicyService.start(). */
    @WithDefault("true")
    boolean autostart();

    /**
     * Observations the policy acted on (with what it proposed there) kept for checking a policy
     * update before it runs, its shadow check (1-4096).
     */
    @WithDefault("32")
    @Min(1)
    @Max(4096)
    int shadowObservations();
}
