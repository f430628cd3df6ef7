package io.tendon.edge.control;

/**
 * A rigid pose in the base frame: position (m) and unit orientation quaternion (w, x, y, z).
 * Mutable and reused.
 */
public final class Pose {

    public final double[] position = new double[3];
    public final double[] orientation = {1, 0, 0, 0};

    public void copyFrom(Pose other) {
        System.arraycopy(other.position, 0, position, 0, 3);
        System.arraycopy(other.orientation, 0, orientation, 0, 4);
    }

    /** Sets this pose from a 6-vector [x, y, z, rx, ry, rz] (rotation vector, rad) at {@code offset}. */
    public void setFromVector(double[] v, int offset) {
        position[0] = v[offset];
        position[1] = v[offset + 1];
        position[2] = v[offset + 2];
        Quaternions.exp(v[offset + 3], v[offset + 4], v[offset + 5], orientation);
    }

    /** Writes [x, y, z, rx, ry, rz] (rotation vector, rad) to {@code out} at {@code offset}. */
    public void toVector(double[] out, int offset) {
        out[offset] = position[0];
        out[offset + 1] = position[1];
        out[offset + 2] = position[2];
        Quaternions.log(orientation, out, offset + 3);
    }

    public void set(double x, double y, double z, double qw, double qx, double qy, double qz) {
        position[0] = x;
        position[1] = y;
        position[2] = z;
        orientation[0] = qw;
        orientation[1] = qx;
        orientation[2] = qy;
        orientation[3] = qz;
    }

    public boolean isFinite() {
        for (int i = 0; i < 3; i++) {
            if (!Double.isFinite(position[i])) {
                return false;
            }
        }
        for (int i = 0; i < 4; i++) {
            if (!Double.isFinite(orientation[i])) {
                return false;
            }
        }
        return true;
    }

    /** Distance between the positions of this pose and {@code other}, m. */
    public double distanceTo(Pose other) {
        double dx = position[0] - other.position[0];
        double dy = position[1] - other.position[1];
        double dz = position[2] - other.position[2];
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
}
