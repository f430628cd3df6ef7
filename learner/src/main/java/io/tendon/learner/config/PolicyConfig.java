package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.Optional;

/** tendon.policy.*: the frozen base policy the learner runs through ONNX Runtime. */
public interface PolicyConfig {

    /** Policy bundle directory (manifest.json and its graphs); absent: the base is the BC-trained head. */
    Optional<String> bundleDir();

    /** ONNX Runtime intra-op threads of the base head (1-64). */
    @WithDefault("1")
    @Min(1)
    @Max(64)
    int threads();

    /**
     * Standard deviation of Gaussian exploration noise added to the current policy's sampled
     * chunks (a', the M samples of V(s), CQL's policy samples), training units (normalised
     * actions: 1 = one standard deviation of the data), 0-10; clipped to the bounds again. 0
     * (default): the policy is deterministic and V(s) evaluates it once instead of M times (unless
     * the robots send M > 1 base chunks per state).
     */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("10")
    double sampleNoiseStd();
}
