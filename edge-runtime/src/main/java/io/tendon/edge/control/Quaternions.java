package io.tendon.edge.control;

/**
 * Unit-quaternion helpers on {@code double[4]} arrays (w, x, y, z; Hamilton convention).
 * Every method writes into an output the caller supplies and allocates nothing; outputs may
 * alias inputs.
 */
public final class Quaternions {

    private Quaternions() {
    }

    /** Writes the identity rotation into {@code q}. */
    public static void identity(double[] q) {
        q[0] = 1;
        q[1] = 0;
        q[2] = 0;
        q[3] = 0;
    }

    /** out = a * b. */
    public static void multiply(double[] a, double[] b, double[] out) {
        double w = a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
        double x = a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2];
        double y = a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1];
        double z = a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0];
        out[0] = w;
        out[1] = x;
        out[2] = y;
        out[3] = z;
    }

    /** out = a * conj(b): the rotation that takes orientation b to orientation a, base frame. */
    public static void multiplyConjugate(double[] a, double[] b, double[] out) {
        double bw = b[0];
        double bx = -b[1];
        double by = -b[2];
        double bz = -b[3];
        double w = a[0] * bw - a[1] * bx - a[2] * by - a[3] * bz;
        double x = a[0] * bx + a[1] * bw + a[2] * bz - a[3] * by;
        double y = a[0] * by - a[1] * bz + a[2] * bw + a[3] * bx;
        double z = a[0] * bz + a[1] * by - a[2] * bx + a[3] * bw;
        out[0] = w;
        out[1] = x;
        out[2] = y;
        out[3] = z;
    }

    /**
     * Rotation vector (axis * angle, rad) of {@code q}, written to {@code out[offset..offset+2]},
     * always the short way round (angle in [0, pi]): q and -q are the same rotation, and the
     * one with w >= 0 is taken. Correct for large angles, 170 degrees included.
     */
    public static void log(double[] q, double[] out, int offset) {
        double w = q[0];
        double x = q[1];
        double y = q[2];
        double z = q[3];
        if (w < 0) {
            w = -w;
            x = -x;
            y = -y;
            z = -z;
        }
        double n = Math.sqrt(x * x + y * y + z * z);
        double scale;
        if (n < 1e-12) {
            scale = 2.0 / Math.max(w, 1e-300); // small angle: angle ~ 2n/w
        } else {
            scale = 2.0 * Math.atan2(n, w) / n;
        }
        out[offset] = x * scale;
        out[offset + 1] = y * scale;
        out[offset + 2] = z * scale;
    }

    /** Writes the unit quaternion of rotation vector (rx, ry, rz) into {@code out}. */
    public static void exp(double rx, double ry, double rz, double[] out) {
        double angle = Math.sqrt(rx * rx + ry * ry + rz * rz);
        if (angle < 1e-12) {
            out[0] = 1;
            out[1] = rx * 0.5;
            out[2] = ry * 0.5;
            out[3] = rz * 0.5;
            normalize(out);
            return;
        }
        double s = Math.sin(angle * 0.5) / angle;
        out[0] = Math.cos(angle * 0.5);
        out[1] = rx * s;
        out[2] = ry * s;
        out[3] = rz * s;
    }

    /** q = exp(r) * q: applies a small rotation r (rotation vector, base frame) to q in place. */
    public static void rotateBy(double rx, double ry, double rz, double[] q, double[] scratch) {
        exp(rx, ry, rz, scratch);
        multiply(scratch, q, q);
        normalize(q);
    }

    /** Scales q to unit length (identity when q is zero). */
    public static void normalize(double[] q) {
        double n = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        if (n < 1e-300) {
            identity(q);
            return;
        }
        double inv = 1.0 / n;
        q[0] *= inv;
        q[1] *= inv;
        q[2] *= inv;
        q[3] *= inv;
    }

    /** Angle (rad, in [0, pi]) of the rotation between orientations a and b. */
    public static double angleBetween(double[] a, double[] b) {
        // Relative rotation a * conj(b); atan2 of its vector and scalar parts stays accurate near 0 and pi.
        double w = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
        double x = -a[0] * b[1] + a[1] * b[0] - a[2] * b[3] + a[3] * b[2];
        double y = -a[0] * b[2] + a[1] * b[3] + a[2] * b[0] - a[3] * b[1];
        double z = -a[0] * b[3] - a[1] * b[2] + a[2] * b[1] + a[3] * b[0];
        return 2.0 * Math.atan2(Math.sqrt(x * x + y * y + z * z), Math.abs(w));
    }

    /** out[offset..+2] = q * v * conj(q): vector (vx, vy, vz) rotated by q. */
    public static void rotate(double[] q, double vx, double vy, double vz, double[] out, int offset) {
        double w = q[0];
        double x = q[1];
        double y = q[2];
        double z = q[3];
        // t = 2 * (q_vec x v); v' = v + w t + q_vec x t
        double tx = 2 * (y * vz - z * vy);
        double ty = 2 * (z * vx - x * vz);
        double tz = 2 * (x * vy - y * vx);
        out[offset] = vx + w * tx + (y * tz - z * ty);
        out[offset + 1] = vy + w * ty + (z * tx - x * tz);
        out[offset + 2] = vz + w * tz + (x * ty - y * tx);
    }
}
