package io.tendon.schemas.layout;

/**
 * The shape of a Transition's flattened arrays (transition.proto): what the edge publishes and
 * the learner accepts. Layout 1, the reference task's: latent 40, proprio 12 (TCP pose and
 * twist), wrench summary 12 (mean and peak per axis), chunks of 16 steps of 13 action numbers.
 * The state a critic sees is latent ⊕ proprio ⊕ wrench; a chunk is horizon × actionDim floats.
 *
 * <p>The bounds here are the ones {@link LayoutConfig} enforces on both services' configuration.
 */
public record TransitionLayout(int version, int latentDim, int proprioDim, int wrenchDim, int horizon,
        int actionDim) {

    public static final int MIN_VERSION = 1;
    public static final int MAX_VERSION = 1000;
    /** 0 allows a robot without an encoder: its transitions carry no latent. */
    public static final int MIN_LATENT_DIM = 0;
    public static final int MAX_LATENT_DIM = 65536;
    public static final int MIN_PROPRIO_DIM = 1;
    public static final int MAX_PROPRIO_DIM = 4096;
    public static final int MIN_WRENCH_DIM = 0;
    public static final int MAX_WRENCH_DIM = 4096;
    public static final int MIN_HORIZON = 1;
    public static final int MAX_HORIZON = 256;
    public static final int MIN_ACTION_DIM = 1;
    public static final int MAX_ACTION_DIM = 256;

    /** Layout 1, the reference task's. */
    public static final TransitionLayout REFERENCE = new TransitionLayout(1, 40, 12, 12, 16, 13);

    public TransitionLayout {
        check("version", version, MIN_VERSION, MAX_VERSION);
        check("latent-dim", latentDim, MIN_LATENT_DIM, MAX_LATENT_DIM);
        check("proprio-dim", proprioDim, MIN_PROPRIO_DIM, MAX_PROPRIO_DIM);
        check("wrench-dim", wrenchDim, MIN_WRENCH_DIM, MAX_WRENCH_DIM);
        check("horizon", horizon, MIN_HORIZON, MAX_HORIZON);
        check("action-dim", actionDim, MIN_ACTION_DIM, MAX_ACTION_DIM);
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("tendon.layout." + key + " = " + value + " is outside [" + min + ", "
                    + max + "]");
        }
    }

    /** The critic's state: latent ⊕ proprio ⊕ wrench. */
    public int stateDim() {
        return latentDim + proprioDim + wrenchDim;
    }

    /** Floats of one action chunk: horizon × actionDim. */
    public int chunkSize() {
        return horizon * actionDim;
    }
}
