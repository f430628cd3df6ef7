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
     * Standard deviation of Gaussian noise added to sampled chunks, action units (0-10), so that a
     * deterministic head still yields M distinct samples; 0 samples the head as it is.
     */
    @WithDefault("0")
    @DecimalMin("0")
    @DecimalMax("10")
    double sampleNoiseStd();
}
