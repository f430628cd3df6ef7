package io.tendon.learner.algo;

import io.tendon.learner.policy.StateLayout;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.Normalisation;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;

/**
 * The units every network trains in (ALGORITHMS.md section 8): {@code x_n = (x - mean) / std}
 * per dimension of the state row (latent, proprio, wrench) and of one action row (the same
 * transform for every row of a chunk). Rewards stay raw.
 *
 * <p>Where the bundle manifest declares a normalisation for a part (latent: its
 * {@code observation_*} when as long as the latent; proprio and wrench: its {@code state_*};
 * actions: its {@code action_*}), that part uses it, and the edge applies it around the graphs:
 * an exported graph takes and gives that part normalised. Every other part uses statistics of
 * the DEMO table, frozen when BC starts; the exported graph then carries the transform itself
 * and takes and gives raw units. {@link #inGraph} says which, per state dimension.
 *
 * <p>A dimension that did not vary in the data (std below 1e-8) keeps std 1, so a constant
 * feature that later varies (the "a person was in control" flag) does not explode. Immutable.
 */
public final class Units {

    /** Below this a dimension counts as constant (std 1 then). */
    static final double MIN_STD = 1e-8;

    public final int stateDim;
    public final int actionDim;
    public final int horizon;
    private final float[] stateMean;
    private final float[] stateStd;
    private final boolean[] stateInGraph;
    private final float[] actionMean;
    private final float[] actionStd;
    private final boolean actionInGraph;
    private final String origin;

    private Units(float[] stateMean, float[] stateStd, boolean[] stateInGraph, float[] actionMean, float[] actionStd,
            boolean actionInGraph, int horizon, String origin) {
        this.stateDim = stateMean.length;
        this.actionDim = actionMean.length;
        this.horizon = horizon;
        this.stateMean = stateMean;
        this.stateStd = stateStd;
        this.stateInGraph = stateInGraph;
        this.actionMean = actionMean;
        this.actionStd = actionStd;
        this.actionInGraph = actionInGraph;
        this.origin = origin;
        for (int i = 0; i < stateDim; i++) {
            check("state", i, stateMean[i], stateStd[i]);
        }
        for (int i = 0; i < actionDim; i++) {
            check("action", i, actionMean[i], actionStd[i]);
        }
    }

    private static void check(String what, int i, float mean, float std) {
        if (!Float.isFinite(mean) || !Float.isFinite(std) || std <= 0) {
            throw new IllegalArgumentException(what + " dimension " + i + ": mean " + mean + ", std " + std
                    + " is no normalisation (finite mean, std > 0)");
        }
    }

    /** No normalisation (mean 0, std 1): before statistics exist, and in tests of raw formulas. */
    public static Units identity(int stateDim, int horizon, int actionDim) {
        float[] one = new float[stateDim];
        Arrays.fill(one, 1f);
        float[] oneA = new float[actionDim];
        Arrays.fill(oneA, 1f);
        boolean[] inGraph = new boolean[stateDim];
        Arrays.fill(inGraph, true);
        return new Units(new float[stateDim], one, inGraph, new float[actionDim], oneA, true, horizon, "identity");
    }

    /** Running sums per dimension (Welford), for the statistics of a table. */
    public static final class Moments {
        final long[] n;
        final double[] mean;
        final double[] m2;

        public Moments(int dims) {
            n = new long[dims];
            mean = new double[dims];
            m2 = new double[dims];
        }

        public void add(int dim, double x) {
            long k = ++n[dim];
            double d = x - mean[dim];
            mean[dim] += d / k;
            m2[dim] += d * (x - mean[dim]);
        }

        float mean(int dim) {
            return (float) mean[dim];
        }

        float std(int dim) {
            double var = n[dim] > 1 ? m2[dim] / (n[dim] - 1) : 0;
            double std = Math.sqrt(var);
            return std < MIN_STD ? 1f : (float) std;
        }

        public long count(int dim) {
            return n[dim];
        }
    }

    /** Adds the rows of a batch to state and action moments (actions of valid steps only). */
    public static void accumulate(Batch b, Moments state, Moments action) {
        int s = b.stateDim;
        int a = b.actionDim;
        for (int row = 0; row < b.size; row++) {
            for (int i = 0; i < s; i++) {
                state.add(i, b.state[row * s + i]);
            }
            for (int h = 0; h < b.horizon; h++) {
                if (b.validMask[row * b.horizon + h] == 0f) {
                    continue;
                }
                int at = (row * b.horizon + h) * a;
                for (int j = 0; j < a; j++) {
                    action.add(j, b.action[at + j]);
                }
            }
        }
    }

    /**
     * Units from the data's moments, with the manifest's normalisation for every part it
     * declares (see the class comment).
     */
    public static Units from(Moments state, Moments action, Normalisation manifest, StateLayout layout, int horizon) {
        int s = layout.stateDim();
        int a = action.n.length;
        float[] sm = new float[s];
        float[] ss = new float[s];
        boolean[] inGraph = new boolean[s];
        for (int i = 0; i < s; i++) {
            sm[i] = state.mean(i);
            ss[i] = state.std(i);
            inGraph[i] = true;
        }
        StringBuilder origin = new StringBuilder("demonstrations");
        if (manifest != null) {
            int latent = layout.latentDim();
            int rest = layout.proprioDim() + layout.wrenchDim();
            if (latent > 0 && manifest.getObservationMeanCount() == latent && manifest.getObservationStdCount() == latent) {
                for (int i = 0; i < latent; i++) {
                    sm[i] = manifest.getObservationMean(i);
                    ss[i] = manifest.getObservationStd(i);
                    inGraph[i] = false;
                }
                origin.append("; latent from the manifest");
            }
            if (rest > 0 && manifest.getStateMeanCount() == rest && manifest.getStateStdCount() == rest) {
                for (int i = 0; i < rest; i++) {
                    sm[latent + i] = manifest.getStateMean(i);
                    ss[latent + i] = manifest.getStateStd(i);
                    inGraph[latent + i] = false;
                }
                origin.append("; state from the manifest");
            }
        }
        float[] am = new float[a];
        float[] as = new float[a];
        boolean actionInGraph = true;
        if (manifest != null && manifest.getActionMeanCount() == a && manifest.getActionStdCount() == a) {
            for (int j = 0; j < a; j++) {
                am[j] = manifest.getActionMean(j);
                as[j] = manifest.getActionStd(j);
            }
            actionInGraph = false;
            origin.append("; actions from the manifest");
        } else {
            for (int j = 0; j < a; j++) {
                am[j] = action.mean(j);
                as[j] = action.std(j);
            }
        }
        return new Units(sm, ss, inGraph, am, as, actionInGraph, horizon, origin.toString());
    }

    /** Where the statistics came from, for status and logs. */
    public String origin() {
        return origin;
    }

    public boolean isIdentity() {
        return origin.equals("identity");
    }

    // ---- Transforms on host rows -------------------------------------------------------------

    /** {@code rows} raw state rows of {@code src} to training units in {@code dst} (may be the same array). */
    public void normaliseStates(float[] src, int rows, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int o = r * stateDim;
            for (int i = 0; i < stateDim; i++) {
                dst[o + i] = (src[o + i] - stateMean[i]) / stateStd[i];
            }
        }
    }

    /** Training-unit state rows back to raw units. */
    public void denormaliseStates(float[] src, int rows, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int o = r * stateDim;
            for (int i = 0; i < stateDim; i++) {
                dst[o + i] = src[o + i] * stateStd[i] + stateMean[i];
            }
        }
    }

    /** {@code rows} raw chunks (H x A each) to training units. */
    public void normaliseChunks(float[] src, int rows, float[] dst) {
        int n = rows * horizon;
        for (int k = 0; k < n; k++) {
            int o = k * actionDim;
            for (int j = 0; j < actionDim; j++) {
                dst[o + j] = (src[o + j] - actionMean[j]) / actionStd[j];
            }
        }
    }

    /** Training-unit chunks back to raw units. */
    public void denormaliseChunks(float[] src, int rows, float[] dst) {
        int n = rows * horizon;
        for (int k = 0; k < n; k++) {
            int o = k * actionDim;
            for (int j = 0; j < actionDim; j++) {
                dst[o + j] = src[o + j] * actionStd[j] + actionMean[j];
            }
        }
    }

    /**
     * Raw state rows to what a graph takes: normalised where the edge normalises (the
     * manifest's parts), raw where the graph carries the transform.
     */
    public void toGraphStates(float[] src, int rows, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int o = r * stateDim;
            for (int i = 0; i < stateDim; i++) {
                dst[o + i] = stateInGraph[i] ? src[o + i] : (src[o + i] - stateMean[i]) / stateStd[i];
            }
        }
    }

    /** A graph's chunks (raw, or normalised when the manifest normalises actions) to training units. */
    public void fromGraphChunks(float[] src, int rows, float[] dst) {
        if (actionInGraph) {
            normaliseChunks(src, rows, dst);
        } else if (src != dst) {
            System.arraycopy(src, 0, dst, 0, rows * horizon * actionDim);
        }
    }

    // ---- What an exported graph carries ------------------------------------------------------

    /** Per state dimension: the mean the graph subtracts from its input (0 where the edge normalises). */
    public float[] graphStateMean() {
        float[] m = new float[stateDim];
        for (int i = 0; i < stateDim; i++) {
            m[i] = stateInGraph[i] ? stateMean[i] : 0f;
        }
        return m;
    }

    /** Per state dimension: the std the graph divides its input by (1 where the edge normalises). */
    public float[] graphStateStd() {
        float[] s = new float[stateDim];
        for (int i = 0; i < stateDim; i++) {
            s[i] = stateInGraph[i] ? stateStd[i] : 1f;
        }
        return s;
    }

    /** True when graphs give raw actions (the learner's statistics), false when normalised (the manifest's). */
    public boolean actionsInGraph() {
        return actionInGraph;
    }

    /** Per chunk entry (H x A): the action mean. */
    public float[] chunkMean() {
        return tile(actionMean);
    }

    /** Per chunk entry (H x A): the action std. */
    public float[] chunkStd() {
        return tile(actionStd);
    }

    private float[] tile(float[] row) {
        float[] out = new float[horizon * actionDim];
        for (int h = 0; h < horizon; h++) {
            System.arraycopy(row, 0, out, h * actionDim, actionDim);
        }
        return out;
    }

    /** Raw per-row bounds to training units (per chunk entry, H x A). */
    public float[][] normalisedChunkBounds(float[] lower, float[] upper) {
        float[] lo = new float[horizon * actionDim];
        float[] hi = new float[horizon * actionDim];
        for (int h = 0; h < horizon; h++) {
            for (int j = 0; j < actionDim; j++) {
                lo[h * actionDim + j] = (lower[j] - actionMean[j]) / actionStd[j];
                hi[h * actionDim + j] = (upper[j] - actionMean[j]) / actionStd[j];
            }
        }
        return new float[][] {lo, hi};
    }

    // ---- Checkpoint --------------------------------------------------------------------------

    public Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("origin", origin);
        p.setProperty("horizon", Integer.toString(horizon));
        p.setProperty("state.mean", join(stateMean));
        p.setProperty("state.std", join(stateStd));
        StringBuilder g = new StringBuilder();
        for (boolean b : stateInGraph) {
            g.append(b ? '1' : '0');
        }
        p.setProperty("state.in-graph", g.toString());
        p.setProperty("action.mean", join(actionMean));
        p.setProperty("action.std", join(actionStd));
        p.setProperty("action.in-graph", Boolean.toString(actionInGraph));
        return p;
    }

    public static Units fromProperties(Properties p) {
        String g = p.getProperty("state.in-graph");
        boolean[] inGraph = new boolean[g.length()];
        for (int i = 0; i < inGraph.length; i++) {
            inGraph[i] = g.charAt(i) == '1';
        }
        return new Units(split(p.getProperty("state.mean")), split(p.getProperty("state.std")), inGraph,
                split(p.getProperty("action.mean")), split(p.getProperty("action.std")),
                Boolean.parseBoolean(p.getProperty("action.in-graph")), Integer.parseInt(p.getProperty("horizon")),
                p.getProperty("origin"));
    }

    private static String join(float[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            // Float.toString round-trips exactly.
            b.append(Float.toString(v[i]));
        }
        return b.toString();
    }

    private static float[] split(String s) {
        if (s.isEmpty()) {
            return new float[0];
        }
        String[] parts = s.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i]);
        }
        return v;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Units[%s, %d state dims, %d action dims]", origin, stateDim, actionDim);
    }
}
