package io.tendon.learner.policy;

/** How a state row is laid out: latent, then proprioception, then the wrench summary. */
public record StateLayout(int latentDim, int proprioDim, int wrenchDim) {

    public StateLayout {
        if (latentDim < 0 || proprioDim < 0 || wrenchDim < 0 || latentDim + proprioDim + wrenchDim < 1) {
            throw new IllegalArgumentException("bad state layout " + latentDim + "/" + proprioDim + "/" + wrenchDim);
        }
    }

    public int stateDim() {
        return latentDim + proprioDim + wrenchDim;
    }
}
