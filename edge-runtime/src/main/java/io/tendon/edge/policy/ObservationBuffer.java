package io.tendon.edge.policy;

import io.tendon.edge.control.LatestValue;

/**
 * The latest observation, handed from the thread that sees the robot state (the control loop
 * or the robot bridge) to the policy thread without locks, waits or allocation. Writer:
 * {@code Observation o = buffer.beginWrite(); fill o; buffer.publish();}. Reader (policy
 * thread): {@link #latest()}.
 */
public final class ObservationBuffer {

    private final LatestValue<Observation> buffer;
    private final int featureDim;
    private final int stateDim;
    private Observation latest;

    public ObservationBuffer(int featureDim, int stateDim) {
        this.featureDim = featureDim;
        this.stateDim = stateDim;
        buffer = new LatestValue<>(() -> new Observation(featureDim, stateDim));
    }

    public int featureDim() {
        return featureDim;
    }

    public int stateDim() {
        return stateDim;
    }

    /** Writer only: the private observation to fill before {@link #publish()}. */
    public Observation beginWrite() {
        return buffer.beginWrite();
    }

    /** Writer only: makes the observation filled since {@link #beginWrite()} the newest. */
    public void publish() {
        buffer.publish();
    }

    /**
     * Reader only: the newest observation (owned by the reader until its next call), the
     * previous one again when nothing new was published, or null before the first publish.
     */
    public Observation latest() {
        Observation fresh = buffer.take();
        if (fresh != null) {
            latest = fresh;
        }
        return latest;
    }
}
