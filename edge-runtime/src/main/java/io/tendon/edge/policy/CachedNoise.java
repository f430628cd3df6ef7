package io.tendon.edge.policy;

/**
 * A noise trajectory drawn once and reused: two-rate inference draws a fresh {@code H x A}
 * trajectory with every slow update, and each fast step denoises its first N rows.
 */
public final class CachedNoise implements NoiseSource {

    private final NoiseSource source;
    private final float[] trajectory;

    /** Caches trajectories of {@code length} values drawn from {@code source}. */
    public CachedNoise(NoiseSource source, int length) {
        this.source = source;
        this.trajectory = new float[length];
    }

    /** Draws a fresh trajectory. */
    public void refresh() {
        source.fill(trajectory, trajectory.length);
    }

    /** Copies the cached trajectory's first {@code length} values. */
    @Override
    public void fill(float[] x, int length) {
        System.arraycopy(trajectory, 0, x, 0, length);
    }
}
