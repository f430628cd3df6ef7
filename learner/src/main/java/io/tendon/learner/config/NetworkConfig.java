package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;

/**
 * The shape and optimiser settings every trained network has (tendon.critic.*, tendon.value.*,
 * tendon.residual.*, tendon.bc.*): declared here once with unit and bounds. A network whose default
 * differs redeclares the method with only its own {@code @WithDefault}; the bounds are inherited.
 */
public interface NetworkConfig {

    /** Hidden layer widths (each 1-8192). */
    @WithDefault("256,256")
    @NotEmpty
    List<@Min(1) @Max(8192) Integer> hidden();

    /** LayerNorm after every hidden linear layer. */
    @WithDefault("true")
    boolean layerNorm();

    /** AdamW learning rate (1e-8-1). */
    @WithDefault("3e-4")
    @DecimalMin("1e-8")
    @DecimalMax("1")
    double learningRate();

    /** Gradient-norm clip (0-1e6); 0 disables clipping. */
    @WithDefault("10")
    @DecimalMin("0")
    @DecimalMax("1e6")
    double gradClip();
}
