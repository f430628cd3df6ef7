package io.tendon.edge.control;

/**
 * Unit-quaternion and rotation-vector arithmetic on {@code double[]} arrays (w, x, y, z;
 * Hamilton convention), the one place the edge does rotations: the controller's orientation
 * error, the simulator, and the policy's interpolation and averaging of orientations. Methods
 * with an offset read and write at that offset. Every method writes into an output the caller
 * supplies and allocates nothing; outputs may alias inputs.
 */
public final class Quaternions {

    /** Below this angle (rad) the series expansions replace sin(a)/a, avoiding 0/0. */
    private static final double SMALL_ANGLE = 1e-8;

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
        log(q, 0, out, offset);
    }

    /** {@link #log(double[], double[], int)} of the quaternion at {@code q[o..o+3]}. */
    public static void log(double[] q, int o, double[] out, int offset) {
        double w = q[o];
        double x = q[o + 1];
        double y = q[o + 2];
        double z = q[o + 3];
        if (w < 0) { // q and -q are the same rotation; take the one with angle <= pi
            w = -w;
            x = -x;
            y = -y;
            z = -z;
        }
        double s = Math.sqrt(x * x + y * y + z * z);
        // Near zero angle/s -> 2/w: the series limit, so tiny rotations stay exact.
        double k = s < SMALL_ANGLE ? 2.0 / Math.max(w, SMALL_ANGLE) : 2.0 * Math.atan2(s, w) / s;
        out[offset] = x * k;
        out[offset + 1] = y * k;
        out[offset + 2] = z * k;
    }

    /** Writes the unit quaternion of rotation vector (rx, ry, rz) into {@code out}. */
    public static void exp(double rx, double ry, double rz, double[] out) {
        exp(rx, ry, rz, out, 0);
    }

    /** Writes the unit quaternion of rotation vector (rx, ry, rz) (rad) into {@code q[o..o+3]}. */
    public static void exp(double rx, double ry, double rz, double[] q, int o) {
        double angle = Math.sqrt(rx * rx + ry * ry + rz * rz);
        double half = 0.5 * angle;
        double sin = Math.sin(half);
        // cos from sin where cos >= 0 (angles up to pi, the usual case): one trigonometric call, not two.
        double cos = half <= 0.5 * Math.PI ? Math.sqrt(1.0 - sin * sin) : Math.cos(half);
        // sin(half)/angle, with its Taylor series near zero so that tiny rotations stay exact.
        double k = angle < SMALL_ANGLE ? 0.5 - angle * angle / 48.0 : sin / angle;
        q[o] = cos;
        q[o + 1] = rx * k;
        q[o + 2] = ry * k;
        q[o + 3] = rz * k;
    }

    /** q = exp(r) * q: applies a small rotation r (rotation vector, base frame) to q in place. */
    public static void rotateBy(double rx, double ry, double rz, double[] q, double[] scratch) {
        exp(rx, ry, rz, scratch);
        multiply(scratch, q, q);
        normalize(q);
    }

    /** Scales q to unit length (identity when q is zero). */
    public static void normalize(double[] q) {
        normalize(q, 0);
    }

    /** Scales {@code q[o..o+3]} to unit length (identity when it is zero). */
    public static void normalize(double[] q, int o) {
        double n = Math.sqrt(q[o] * q[o] + q[o + 1] * q[o + 1] + q[o + 2] * q[o + 2] + q[o + 3] * q[o + 3]);
        if (n < 1e-300) {
            q[o] = 1;
            q[o + 1] = 0;
            q[o + 2] = 0;
            q[o + 3] = 0;
            return;
        }
        double inv = 1.0 / n;
        q[o] *= inv;
        q[o + 1] *= inv;
        q[o + 2] *= inv;
        q[o + 3] *= inv;
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

    /**
     * Spherical linear interpolation between unit quaternions {@code a[ao..]} (u = 0) and
     * {@code b[bo..]} (u = 1) along the shorter arc; writes the unit result into {@code out[oo..]}.
     */
    public static void slerp(double[] a, int ao, double[] b, int bo, double u, double[] out, int oo) {
        double bw = b[bo];
        double bx = b[bo + 1];
        double by = b[bo + 2];
        double bz = b[bo + 3];
        double dot = a[ao] * bw + a[ao + 1] * bx + a[ao + 2] * by + a[ao + 3] * bz;
        if (dot < 0) { // the shorter way round
            dot = -dot;
            bw = -bw;
            bx = -bx;
            by = -by;
            bz = -bz;
        }
        double ka;
        double kb;
        if (dot > 0.9995) {
            // Nearly parallel: sin(theta) underflows; normalised lerp is exact to 1e-7 here.
            ka = 1.0 - u;
            kb = u;
        } else {
            double theta = Math.acos(dot);
            double sin = Math.sin(theta);
            ka = Math.sin((1.0 - u) * theta) / sin;
            kb = Math.sin(u * theta) / sin;
        }
        double w = ka * a[ao] + kb * bw;
        double x = ka * a[ao + 1] + kb * bx;
        double y = ka * a[ao + 2] + kb * by;
        double z = ka * a[ao + 3] + kb * bz;
        double n = Math.sqrt(w * w + x * x + y * y + z * z);
        out[oo] = w / n;
        out[oo + 1] = x / n;
        out[oo + 2] = y / n;
        out[oo + 3] = z / n;
    }

    /**
     * Adds {@code weight * q[o..]} to the running sum {@code acc[ao..]}, flipping q into the
     * hemisphere of {@code reference[ro..]} first: the weighted average of nearby rotations
     * (normalise the sum afterwards with {@link #normalise}).
     */
    public static void accumulate(double[] acc, int ao, double[] q, int o, double weight,
            double[] reference, int ro) {
        double dot = reference[ro] * q[o] + reference[ro + 1] * q[o + 1]
                + reference[ro + 2] * q[o + 2] + reference[ro + 3] * q[o + 3];
        double s = dot < 0 ? -weight : weight;
        acc[ao] += s * q[o];
        acc[ao + 1] += s * q[o + 1];
        acc[ao + 2] += s * q[o + 2];
        acc[ao + 3] += s * q[o + 3];
    }
}
