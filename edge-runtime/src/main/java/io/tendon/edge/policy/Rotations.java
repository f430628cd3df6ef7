package io.tendon.edge.policy;

/**
 * Rotation-vector and unit-quaternion arithmetic for interpolating and averaging orientations.
 * Quaternions are {w, x, y, z} stored at an offset in a caller's array; every method writes
 * into an output the caller supplies and allocates nothing.
 */
public final class Rotations {

    /** Below this angle (rad) the series expansions replace sin(a)/a, avoiding 0/0. */
    private static final double SMALL_ANGLE = 1e-8;

    private Rotations() {
    }

    /** Writes the unit quaternion of rotation vector (rx, ry, rz) (rad) into {@code q[o..o+3]}. */
    public static void quaternionFromRotationVector(double rx, double ry, double rz, double[] q, int o) {
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

    /**
     * Writes the rotation vector (rad) of unit quaternion {@code q[o..o+3]} into
     * {@code out[p..p+2]}, choosing the representative with angle in [0, pi].
     */
    public static void rotationVectorFromQuaternion(double[] q, int o, double[] out, int p) {
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
        double angle = 2.0 * Math.atan2(s, w);
        double k = s < SMALL_ANGLE ? 2.0 / Math.max(w, SMALL_ANGLE) : angle / s;
        out[p] = x * k;
        out[p + 1] = y * k;
        out[p + 2] = z * k;
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

    /** Scales {@code q[o..o+3]} to unit length. */
    public static void normalise(double[] q, int o) {
        double n = Math.sqrt(q[o] * q[o] + q[o + 1] * q[o + 1] + q[o + 2] * q[o + 2] + q[o + 3] * q[o + 3]);
        q[o] /= n;
        q[o + 1] /= n;
        q[o + 2] /= n;
        q[o + 3] /= n;
    }
}
