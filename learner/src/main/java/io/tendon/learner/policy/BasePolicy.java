package io.tendon.learner.policy;

/**
 * The frozen base policy pi_base(s): state rows in, action chunks out, in batches. Used from
 * the trainer thread only.
 */
public interface BasePolicy extends AutoCloseable {

    /** Width of one state row (latent, proprio, wrench). */
    int stateDim();

    /** Width of one chunk (H * A). */
    int chunkSize();

    /**
     * Writes one chunk per state row: {@code states} holds {@code rows x stateDim} floats, and
     * {@code out} receives {@code rows x chunkSize}. A head with a noise input gets fresh noise
     * each call, so repeated rows give independent samples.
     */
    void act(float[] states, int rows, float[] out);

    @Override
    void close();
}
