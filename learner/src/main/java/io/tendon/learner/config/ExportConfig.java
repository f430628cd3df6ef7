package io.tendon.learner.config;

import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.Optional;

/** tendon.export.*: ONNX export and its verification by ONNX Runtime. */
public interface ExportConfig {

    /**
     * atol of the export check (1e-9-1e-3): ONNX Runtime must give LibTorch's outputs within
     * {@code atol + rtol * |LibTorch|}, compared in training units (normalised actions).
     */
    @WithDefault("1e-5")
    @DecimalMin("1e-9")
    @DecimalMax("1e-3")
    double tolerance();

    /** rtol of the export check (0-1e-2); see {@link #tolerance()}. */
    @WithDefault("1e-5")
    @DecimalMin("0")
    @DecimalMax("1e-2")
    double relativeTolerance();

    /** Rows of the probe batch (1-4096). */
    @WithDefault("64")
    @Min(1)
    @Max(4096)
    int probeRows();

    /** Also write every verified graph here as {graph}-v{version}.onnx (for inspection); absent: not written. */
    Optional<String> dir();
}
