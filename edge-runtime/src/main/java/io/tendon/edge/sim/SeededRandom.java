package io.tendon.edge.sim;

/**
 * The random generator of {@link java.util.SplittableRandom} (SplitMix64 with the golden
 * gamma; {@code nextLong}, {@code nextDouble} and {@code nextDouble(origin, bound)} give the
 * same numbers as {@code new SplittableRandom(seed)}, see the test), but re-seedable in place,
 * so that an episode reset allocates nothing on the control thread. Gaussians come from the
 * polar method on those doubles. Not thread-safe.
 */
public final class SeededRandom {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private long seed;
    private boolean haveSpare;
    private double spare;

    public SeededRandom(long seed) {
        reseed(seed);
    }

    /** Restarts the stream as if newly created with {@code seed}. */
    public void reseed(long newSeed) {
        seed = newSeed;
        haveSpare = false;
    }

    public long nextLong() {
        return mix64(seed += GOLDEN_GAMMA);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * DOUBLE_UNIT;
    }

    /** Uniform in [origin, bound). */
    public double nextDouble(double origin, double bound) {
        double r = nextDouble() * (bound - origin) + origin;
        return r >= bound ? Math.nextDown(bound) : r;
    }

    /** Standard normal (Marsaglia's polar method; StrictMath keeps it identical on every JVM). */
    public double nextGaussian() {
        if (haveSpare) {
            haveSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        spare = v * m;
        haveSpare = true;
        return u * m;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
