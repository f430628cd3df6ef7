package io.tendon.learner.algo;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Central finite differences against autograd, in double precision: for a sample of entries of
 * every parameter tensor, (L(theta + eps) - L(theta - eps)) / 2 eps must match dL/dtheta.
 */
final class GradCheck {

    private GradCheck() {
    }

    /** The largest |numeric - analytic| / max(1e-6, |numeric| + |analytic|) over the sampled entries. */
    static double worstRelativeError(TensorVector params, Supplier<Tensor> loss, int perTensor, double eps, long seed) {
        int n = (int) params.size();
        double[][] analytic = new double[n][];
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < n; i++) {
                Tensor g = params.get(i).grad();
                if (g.defined()) {
                    g.zero_();
                }
            }
            loss.get().backward();
            for (int i = 0; i < n; i++) {
                Tensor g = params.get(i).grad();
                analytic[i] = new double[(int) params.get(i).numel()];
                if (g.defined()) {
                    g.contiguous().data_ptr_double().get(analytic[i]);
                }
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        double worst = 0;
        int checked = 0;
        for (int i = 0; i < n; i++) {
            Tensor p = params.get(i);
            DoublePointer data = p.data_ptr_double();
            int size = (int) p.numel();
            for (int s = 0; s < Math.min(perTensor, size); s++) {
                int at = random.nextInt(size);
                double original = data.get(at);
                data.put(at, original + eps);
                double plus = value(loss);
                data.put(at, original - eps);
                double minus = value(loss);
                data.put(at, original);
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic[i][at];
                double rel = Math.abs(numeric - a) / Math.max(1e-6, Math.abs(numeric) + Math.abs(a));
                worst = Math.max(worst, rel);
                checked++;
            }
        }
        if (checked == 0) {
            throw new IllegalStateException("nothing checked");
        }
        return worst;
    }

    /** Largest |analytic gradient| entry, to show the check was not vacuous. */
    static double largestGradient(TensorVector params, Supplier<Tensor> loss) {
        double largest = 0;
        try (PointerScope scope = new PointerScope()) {
            for (long i = 0; i < params.size(); i++) {
                Tensor g = params.get(i).grad();
                if (g.defined()) {
                    g.zero_();
                }
            }
            loss.get().backward();
            for (long i = 0; i < params.size(); i++) {
                Tensor g = params.get(i).grad();
                if (g.defined()) {
                    largest = Math.max(largest, g.abs().max().item_double());
                }
            }
        }
        return largest;
    }

    private static double value(Supplier<Tensor> loss) {
        try (PointerScope scope = new PointerScope(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            return loss.get().item_double();
        }
    }
}
