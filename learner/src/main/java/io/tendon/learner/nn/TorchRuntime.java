package io.tendon.learner.nn;

import static org.bytedeco.pytorch.global.torch.cuda_device_count;
import static org.bytedeco.pytorch.global.torch.cuda_is_available;
import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.set_num_interop_threads;
import static org.bytedeco.pytorch.global.torch.set_num_threads;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.jboss.logging.Logger;

/**
 * Process-wide LibTorch settings: thread counts, seed and the compute device. Call
 * {@link #configure} before the first tensor operation.
 */
public final class TorchRuntime {

    private static final Logger LOG = Logger.getLogger(TorchRuntime.class);
    private static boolean interopSet;

    private TorchRuntime() {
    }

    /**
     * Sets the intra-op thread count (OpenMP and OpenBLAS otherwise each take every core and
     * fight: measured 36 ms instead of 2 ms per step on 2 cores) and seeds LibTorch's own
     * generator (dropout-free code here draws its randomness in Java, but LibTorch kernels
     * that sample must be reproducible too).
     */
    public static synchronized void configure(int threads, long seed) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        set_num_threads(threads);
        if (!interopSet) {
            // LibTorch allows this only once per process, before any inter-op work.
            try {
                set_num_interop_threads(1);
            } catch (RuntimeException e) {
                LOG.debugf("inter-op threads already fixed: %s", e.getMessage());
            }
            interopSet = true;
        }
        manual_seed(seed);
    }

    public static int threads() {
        return get_num_threads();
    }

    /**
     * The device named by {@code spec} ("cpu", "cuda", "cuda:N"). A CUDA device that is not
     * usable falls back to the CPU with one log line naming {@code key}.
     */
    public static Device device(String spec, String key) {
        requireNoScope();
        if (spec.equals("cpu")) {
            return new Device(DeviceType.CPU);
        }
        if (!spec.matches("cuda(:[0-9]{1,2})?")) {
            throw new IllegalArgumentException(key + " must be cpu, cuda or cuda:N, was '" + spec + "'");
        }
        int index = spec.contains(":") ? Integer.parseInt(spec.substring(5)) : 0;
        boolean available;
        int count;
        try {
            available = cuda_is_available();
            count = available ? cuda_device_count() : 0;
        } catch (Throwable e) {
            available = false;
            count = 0;
        }
        if (!available || index >= count) {
            LOG.warnf("%s=%s but %s; training on the CPU", key, spec,
                    available ? "only " + count + " CUDA device(s) exist" : "no usable CUDA device was found");
            return new Device(DeviceType.CPU);
        }
        LOG.infof("%s=%s: training on CUDA device %d", key, spec, index);
        return new Device(DeviceType.CUDA, (byte) index);
    }

    /** Long-lived native objects must not be owned by a scope that closes under them. */
    static void requireNoScope() {
        if (PointerScope.getInnerScope() != null) {
            throw new IllegalStateException("create long-lived LibTorch objects outside any PointerScope");
        }
    }
}
