package io.tendon.learner.bench;

import static org.bytedeco.pytorch.global.torch.baddbmm;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.clip_grad_norm_;
import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.ones;
import static org.bytedeco.pytorch.global.torch.rand;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.zeros;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * The critic update written directly against LibTorch, without any of the learner's plumbing:
 * fixed input tensors (s, a, s', a', r, m, d), a stacked K-member MLP with LayerNorm, target
 * copy, chunked target with a min over two target members, MSE, backward, gradient clipping,
 * AdamW, Polyak. The same arithmetic as the learner's ALOE critic step.
 */
final class RawCriticStep {

    private final int members;
    private final int[] dims;
    private final Tensor[] online;
    private final Tensor[] target;
    private final TensorVector parameters = new TensorVector();
    private final AdamW adam;
    private final Tensor s;
    private final Tensor a;
    private final Tensor sNext;
    private final Tensor aNext;
    private final Tensor rewardsTimesMask;
    private final Tensor notDone;
    private final Tensor discount;
    private final double bootstrapDiscount;

    RawCriticStep(int members, int stateDim, int chunk, int horizon, int hidden, int batch) {
        this.members = members;
        this.dims = new int[] {stateDim + chunk, hidden, hidden, 1};
        online = weights();
        target = weights();
        for (int i = 0; i < target.length; i++) {
            target[i].set_requires_grad(false);
        }
        for (Tensor t : online) {
            parameters.push_back(t);
        }
        AdamWOptions options = new AdamWOptions(3e-4);
        options.weight_decay().put(0.0);
        adam = new AdamW(parameters, options);
        s = randn(batch, stateDim);
        a = randn(batch, chunk);
        sNext = randn(batch, stateDim);
        aNext = randn(batch, chunk);
        rewardsTimesMask = randn(batch, horizon);
        notDone = ones(batch, 1);
        float[] u = new float[horizon];
        for (int i = 0; i < horizon; i++) {
            u[i] = (float) Math.pow(0.99, i);
        }
        discount = io.tendon.learner.nn.Tensors.of(u, new long[] {horizon, 1}, s.device(),
                org.bytedeco.pytorch.global.torch.ScalarType.Float);
        bootstrapDiscount = Math.pow(0.99, horizon);
    }

    /** w0 [in, K*h], b0, ln scale, ln bias, w1 [K, h, h], b1, ln scale, ln bias, w2 [K, h, 1], b2. */
    private Tensor[] weights() {
        int in = dims[0];
        int h = dims[1];
        Tensor[] w = {
            rand(in, (long) members * h).sub_(new Scalar(0.5)).mul_(new Scalar(2 / Math.sqrt(in))),
            zeros(members, 1, h), ones(members, 1, h), zeros(members, 1, h),
            rand(members, h, h).sub_(new Scalar(0.5)).mul_(new Scalar(2 / Math.sqrt(h))),
            zeros(members, 1, h), ones(members, 1, h), zeros(members, 1, h),
            rand(members, h, 1).sub_(new Scalar(0.5)).mul_(new Scalar(2 / Math.sqrt(h))), zeros(members, 1, 1)};
        for (Tensor t : w) {
            t.set_requires_grad(true);
        }
        return w;
    }

    private Tensor forward(Tensor[] w, Tensor x) {
        long rows = x.size(0);
        int h = dims[1];
        Tensor y = x.matmul(w[0]).view(rows, members, h).transpose(0, 1).add(w[1]);
        y = layer_norm(y, new long[] {h}).mul(w[2]).add(w[3]).relu();
        y = baddbmm(w[5], y, w[4]);
        y = layer_norm(y, new long[] {h}).mul(w[6]).add(w[7]).relu();
        return baddbmm(w[9], y, w[8]);
    }

    /** One update; returns the loss. */
    double step() {
        try (PointerScope scope = new PointerScope()) {
            Tensor y;
            try (NoGradGuard g = new NoGradGuard()) {
                Tensor qNext = forward(target, cat(new TensorVector(sNext, aNext), 1)).select(2, 0);
                Tensor min = qNext.select(0, 0).minimum(qNext.select(0, 1)).unsqueeze(1);
                y = rewardsTimesMask.matmul(discount).add(notDone.mul(min).mul(new Scalar(bootstrapDiscount)));
            }
            Tensor loss = forward(online, cat(new TensorVector(s, a), 1)).sub(y).square().mean();
            adam.zero_grad();
            loss.backward();
            clip_grad_norm_(parameters, 10.0);
            adam.step();
            try (NoGradGuard g = new NoGradGuard()) {
                Scalar tau = new Scalar(0.005);
                for (int i = 0; i < online.length; i++) {
                    target[i].lerp_(online[i], tau);
                }
            }
            return loss.item_double();
        }
    }
}
