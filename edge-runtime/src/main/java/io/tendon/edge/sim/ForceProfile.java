package io.tendon.edge.sim;

/**
 * A scripted external force on the tool over time, for the trajectory tool: a step, a ramp or
 * a sine along one axis, starting at {@code start} and ending at {@code end} (s of simulated time).
 */
public final class ForceProfile {

    public enum Shape { STEP, RAMP, SINE }

    private final Shape shape;
    private final int axis;
    private final double magnitude;
    private final double start;
    private final double end;
    private final double frequencyHz;

    /**
     * @param axis      0, 1, 2 for x, y, z
     * @param magnitude N (peak for the sine, final value for the ramp)
     */
    public ForceProfile(Shape shape, int axis, double magnitude, double start, double end, double frequencyHz) {
        if (axis < 0 || axis > 2) {
            throw new IllegalArgumentException("axis must be 0, 1 or 2 (x, y, z), got " + axis);
        }
        if (!(end > start) || !Double.isFinite(magnitude)) {
            throw new IllegalArgumentException("need start < end and a finite magnitude");
        }
        this.shape = shape;
        this.axis = axis;
        this.magnitude = magnitude;
        this.start = start;
        this.end = end;
        this.frequencyHz = frequencyHz;
    }

    /** Writes the force at simulated time {@code t} (s) into {@code out[0..2]}. */
    public void forceAt(double t, double[] out) {
        out[0] = 0;
        out[1] = 0;
        out[2] = 0;
        if (t < start || t >= end) {
            return;
        }
        double f;
        switch (shape) {
            case STEP:
                f = magnitude;
                break;
            case RAMP:
                f = magnitude * (t - start) / (end - start);
                break;
            default:
                f = magnitude * Math.sin(2 * Math.PI * frequencyHz * (t - start));
                break;
        }
        out[axis] = f;
    }

    public int axis() {
        return axis;
    }

    public double magnitude() {
        return magnitude;
    }
}
