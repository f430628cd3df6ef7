package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/**
 * tendon.value.*: the IQL expectile value network V(s) of ALGORITHMS.md section 5; hidden,
 * layer-norm, learning-rate and grad-clip as in {@link NetworkConfig}.
 */
public interface ValueConfig extends NetworkConfig {

    /** Expectile tau (0.01-0.99); 0.5 fits the mean of Q, towards 1 its maximum. */
    @WithDefault("0.7")
    @DecimalMin("0.01")
    @DecimalMax("0.99")
    double expectile();
}
