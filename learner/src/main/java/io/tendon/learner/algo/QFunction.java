package io.tendon.learner.algo;

import org.bytedeco.pytorch.Tensor;

/** A critic as the policy-side algorithms see it. */
public interface QFunction {

    /**
     * The pessimistic chunk value {@code min_k Q_k(s, a)}: state {@code [B, S]}, chunk
     * {@code [B, H*A]} to {@code [B, 1]}. Differentiable with respect to the chunk.
     */
    Tensor minQ(Tensor state, Tensor chunk);
}
