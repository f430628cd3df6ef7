package io.tendon.edge.policy;

import io.tendon.edge.control.LatestValue;

/**
 * What the policy needs from the robot (or simulator) at each policy step, in raw units; the
 * runtime normalises with the bundle's statistics. Sizes come from the bundle
 * ({@link PolicyRuntime#newObservation()}). Mutable and reused: a writer fills one in place and
 * hands it over through a {@link io.tendon.edge.control.LatestValue} ({@link ObservationBuffer}).
 */
public final class Observation {

    /** Observation features per frame (what the encoder or slow graph takes), bundle-defined. */
    public final float[] features;
    /** Proprioceptive state (what STATE inputs take), bundle-defined. */
    public final float[] state;
    /** The measured wrench at the TCP, base frame: Fx, Fy, Fz (N), Tx, Ty, Tz (N·m). */
    public final float[] wrench = new float[6];
    /** When it was measured, on the control loop's clock (nanoseconds). */
    public long stampNanos;
    /** The writer's sequence number, increasing. */
    public long sequence;

    public Observation(int featureDim, int stateDim) {
        features = new float[featureDim];
        state = new float[stateDim];
    }

    /** Copies every field of {@code other} (same sizes). Allocation-free. */
    public void copyFrom(Observation other) {
        System.arraycopy(other.features, 0, features, 0, features.length);
        System.arraycopy(other.state, 0, state, 0, state.length);
        System.arraycopy(other.wrench, 0, wrench, 0, 6);
        stampNanos = other.stampNanos;
        sequence = other.sequence;
    }
}
