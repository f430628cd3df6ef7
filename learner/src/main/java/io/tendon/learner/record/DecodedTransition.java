package io.tendon.learner.record;

import io.tendon.schemas.layout.LayoutConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One Transition decoded straight from its wire bytes into flat, reused arrays sized by the
 * learner's layout, so the ingest path allocates nothing per record. Values beyond the layout's
 * lengths are counted but not stored (the validator then refuses the record as DIMENSION).
 *
 * <p>States are stored as latent ⊕ proprio ⊕ wrench, the replay's state vector. Chunks are
 * H x A row-major. Masks are bit sets, bit i of word i / 64.
 */
public final class DecodedTransition {

    /** Longest id stored; longer ids are counted and refused as BAD_ID. */
    public static final int MAX_ID_BYTES = 128;

    public final int latentDim;
    public final int proprioDim;
    public final int wrenchDim;
    public final int stateDim;
    public final int horizon;
    public final int actionDim;
    public final int chunkSize;
    public final int maskWords;

    public int layoutVersion;
    public final byte[] robotId = new byte[MAX_ID_BYTES];
    public int robotIdLength;
    public final byte[] episodeId = new byte[MAX_ID_BYTES];
    public int episodeIdLength;
    /** True when an id held bytes that are not valid UTF-8 (protobuf refuses such a message). */
    public boolean idNotUtf8;
    /** Transition.step as an unsigned 64-bit number. */
    public long step;
    /** Transition.stride: steps between consecutive chunks' first steps; 0 means the horizon. */
    public int stride;
    /** Source enum number (1 DEMO, 2 INTERVENTION, 3 ROLLOUT; anything else is missing). */
    public int source;
    public long policyVersion;
    public boolean terminated;
    public boolean truncated;
    public long startTimeUnixNanos;
    public long publishTimeUnixNanos;

    public boolean hasObservation;
    public boolean hasNextObservation;
    public boolean hasExecutedChunk;
    public boolean hasPolicyChunk;

    /** s = latent ⊕ proprio ⊕ wrench; counts say how many of each the record carried. */
    public final float[] state;
    public int latentCount;
    public int proprioCount;
    public int wrenchCount;
    /** s'. */
    public final float[] nextState;
    public int nextLatentCount;
    public int nextProprioCount;
    public int nextWrenchCount;

    public final float[] action;
    public int actionHorizon;
    public int actionActionDim;
    public int actionCount;
    public final float[] policyAction;
    public int policyHorizon;
    public int policyActionDim;
    public int policyCount;

    public final float[] rewards;
    public int rewardsCount;
    public final long[] validMask;
    public int validMaskCount;
    public final long[] interventionMask;
    public int interventionMaskCount;

    /**
     * For the validator's finiteness check (x - x of every value, then one comparison with
     * zeros): owned here so that each thread decoding into its own DecodedTransition has its own.
     */
    final float[] finiteScratch;
    final float[] finiteZeros;

    /**
     * Base-policy samples (Transition.base_samples): all are checked (shape, finite values); the
     * values of the first {@link #baseChunksStored} are kept in {@link #baseValues}, H x A each,
     * for a learner whose bundle declares base_samples_per_transition = M (2 x M chunks: M at s,
     * then M at s').
     */
    public int baseSamplesCount;
    /** 2 x M: the base-sample chunks a record carries when it carries any (0: none are kept). */
    public final int baseChunksStored;
    /** The kept base-sample values, {@code baseChunksStored x chunkSize}. */
    public final float[] baseValues;
    int[] baseHorizon = new int[4];
    int[] baseActionDim = new int[4];
    int[] baseValueCount = new int[4];
    /** Index of the first non-finite value of each base sample, -1 when all are finite. */
    int[] baseFirstNonFinite = new int[4];

    public DecodedTransition(LayoutConfig layout) {
        this(layout, 0);
    }

    /** @param baseSamplesPerTransition M of the bundle manifest (0: base samples are checked, not kept) */
    public DecodedTransition(LayoutConfig layout, int baseSamplesPerTransition) {
        this(layout.latentDim(), layout.proprioDim(), layout.wrenchDim(), layout.horizon(), layout.actionDim(),
                baseSamplesPerTransition);
    }

    public DecodedTransition(int latentDim, int proprioDim, int wrenchDim, int horizon, int actionDim) {
        this(latentDim, proprioDim, wrenchDim, horizon, actionDim, 0);
    }

    public DecodedTransition(int latentDim, int proprioDim, int wrenchDim, int horizon, int actionDim,
            int baseSamplesPerTransition) {
        if (baseSamplesPerTransition < 0) {
            throw new IllegalArgumentException("base samples per transition " + baseSamplesPerTransition + " < 0");
        }
        this.latentDim = latentDim;
        this.proprioDim = proprioDim;
        this.wrenchDim = wrenchDim;
        this.stateDim = latentDim + proprioDim + wrenchDim;
        this.horizon = horizon;
        this.actionDim = actionDim;
        this.chunkSize = horizon * actionDim;
        this.maskWords = (horizon + 63) / 64;
        state = new float[stateDim];
        nextState = new float[stateDim];
        action = new float[chunkSize];
        policyAction = new float[chunkSize];
        rewards = new float[horizon];
        validMask = new long[maskWords];
        interventionMask = new long[maskWords];
        finiteScratch = new float[2 * stateDim + 2 * chunkSize + horizon];
        finiteZeros = new float[finiteScratch.length];
        baseChunksStored = 2 * baseSamplesPerTransition;
        baseValues = new float[baseChunksStored * chunkSize];
    }

    /** True when the record carries the 2 x M base-sample chunks this learner keeps. */
    public boolean hasBaseSamples() {
        return baseChunksStored > 0 && baseSamplesCount == baseChunksStored;
    }

    /** Steps each chunk contributes to per-episode statistics: the stride, or the horizon. */
    public int ownSteps() {
        return stride <= 0 || stride > horizon ? horizon : stride;
    }

    /** Forgets the previous record; arrays are overwritten as the next one is decoded. */
    public void clear() {
        layoutVersion = 0;
        robotIdLength = 0;
        episodeIdLength = 0;
        idNotUtf8 = false;
        step = 0;
        stride = 0;
        source = 0;
        policyVersion = 0;
        terminated = false;
        truncated = false;
        startTimeUnixNanos = 0;
        publishTimeUnixNanos = 0;
        hasObservation = false;
        hasNextObservation = false;
        hasExecutedChunk = false;
        hasPolicyChunk = false;
        latentCount = 0;
        proprioCount = 0;
        wrenchCount = 0;
        nextLatentCount = 0;
        nextProprioCount = 0;
        nextWrenchCount = 0;
        actionHorizon = 0;
        actionActionDim = 0;
        actionCount = 0;
        policyHorizon = 0;
        policyActionDim = 0;
        policyCount = 0;
        rewardsCount = 0;
        for (int i = 0; i < maskWords; i++) {
            validMask[i] = 0L;
            interventionMask[i] = 0L;
        }
        validMaskCount = 0;
        interventionMaskCount = 0;
        baseSamplesCount = 0;
    }

    public String robotIdString() {
        return new String(robotId, 0, Math.min(robotIdLength, MAX_ID_BYTES), StandardCharsets.UTF_8);
    }

    public String episodeIdString() {
        return new String(episodeId, 0, Math.min(episodeIdLength, MAX_ID_BYTES), StandardCharsets.UTF_8);
    }

    public boolean valid(int step) {
        return (validMask[step >>> 6] & (1L << step)) != 0;
    }

    public boolean intervened(int step) {
        return (interventionMask[step >>> 6] & (1L << step)) != 0;
    }

    /** Where proprio starts in {@link #state}. */
    public int proprioOffset() {
        return latentDim;
    }

    /** Where wrench starts in {@link #state}. */
    public int wrenchOffset() {
        return latentDim + proprioDim;
    }

    void startBaseSample() {
        int i = baseSamplesCount;
        if (i == baseHorizon.length) {
            int n = i * 2;
            baseHorizon = Arrays.copyOf(baseHorizon, n);
            baseActionDim = Arrays.copyOf(baseActionDim, n);
            baseValueCount = Arrays.copyOf(baseValueCount, n);
            baseFirstNonFinite = Arrays.copyOf(baseFirstNonFinite, n);
        }
        baseHorizon[i] = 0;
        baseActionDim[i] = 0;
        baseValueCount[i] = 0;
        baseFirstNonFinite[i] = -1;
        baseSamplesCount = i + 1;
    }
}
