package io.tendon.edge.policy;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnxruntime.OrtCUDAProviderOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.jboss.logging.Logger;

/**
 * Creates the sessions of one bundle with the configured threads, optimisation level and
 * execution provider. CUDA is used when configured and available; otherwise the graphs run on
 * CPU and one log line says why (once per bundle load, not once per graph).
 */
public final class SessionFactory {

    private static final Logger LOG = Logger.getLogger(SessionFactory.class);
    static final String CUDA_PROVIDER = "CUDAExecutionProvider";

    private final OrtSettings settings;
    private ExecutionProvider effective;
    private String fallbackReason;

    public SessionFactory(OrtSettings settings) {
        this.settings = settings;
        OnnxEnvironment.env();
        if (settings.provider() == ExecutionProvider.CUDA
                && !OnnxEnvironment.availableProviders().contains(CUDA_PROVIDER)) {
            fallBack("this ONNX Runtime build has no " + CUDA_PROVIDER + " (available: "
                    + String.join(", ", OnnxEnvironment.availableProviders())
                    + "); build with -Pgpu for the CUDA natives");
        } else {
            effective = settings.provider();
        }
    }

    /** The provider the sessions actually run on. */
    public ExecutionProvider effectiveProvider() {
        return effective;
    }

    /** Why CUDA was not used although configured, or null. */
    public String fallbackReason() {
        return fallbackReason;
    }

    public OrtSettings settings() {
        return settings;
    }

    /** A session for {@code model} (ONNX bytes); {@code what} names the graph in errors. */
    public Session create(String what, byte[] model) {
        SessionOptions options = options();
        try {
            if (effective == ExecutionProvider.CUDA) {
                try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions()) {
                    cuda.device_id(settings.cudaDeviceId());
                    options.AppendExecutionProvider_CUDA(cuda);
                } catch (RuntimeException e) {
                    fallBack("the CUDA provider did not start on device " + settings.cudaDeviceId() + ": "
                            + e.getMessage());
                    options.close();
                    options = options();
                }
            }
            try (BytePointer bytes = new BytePointer(model)) {
                return new Session(OnnxEnvironment.env(), bytes, model.length, options);
            } catch (RuntimeException e) {
                throw new PolicyBundleException(what + " is not a loadable ONNX model: " + e.getMessage(), e);
            }
        } finally {
            options.close();
        }
    }

    private SessionOptions options() {
        SessionOptions options = new SessionOptions();
        options.SetIntraOpNumThreads(settings.intraOpThreads());
        // Graphs are small and run one at a time: no inter-op pool competing with the control thread.
        options.SetInterOpNumThreads(1);
        options.SetGraphOptimizationLevel(settings.optimisation().ortLevel);
        return options;
    }

    private void fallBack(String reason) {
        effective = ExecutionProvider.CPU;
        if (fallbackReason == null) {
            fallbackReason = reason;
            LOG.warnf("tendon.policy.execution-provider is cuda but %s: running the policy on CPU", reason);
        }
    }
}
