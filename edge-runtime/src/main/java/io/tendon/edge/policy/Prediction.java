package io.tendon.edge.policy;

/**
 * One mode step's result, raw action units after the residual: {@code rows} rows starting at
 * policy tick {@link #firstTick}, with the ticks to commit and the ticks the published plan
 * spans. Policy thread only.
 */
final class Prediction {

    final float[] actions;
    int rows;
    long firstTick;
    /** Ticks whose executed rows this prediction (re)defines, inclusive. */
    long commitFrom;
    long commitTo;
    /** Ticks the published plan covers, inclusive; earlier ones come from the committed timeline. */
    long planFrom;
    long planTo;

    Prediction(int capacity) {
        actions = new float[capacity];
    }
}
