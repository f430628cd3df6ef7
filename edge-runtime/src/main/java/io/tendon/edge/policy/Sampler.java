package io.tendon.edge.policy;

/**
 * The runtime-owned sampling loop (DESIGN.md, "The sampler belongs to the runtime"), built from
 * pieces: a {@link NoiseSource} for the initial sample, the {@link Denoiser} (the step graph)
 * at the centre, an {@link Integrator} that turns its predictions into updates, and
 * {@link GuidanceTerm}s applied at the steps they choose. Allocation-free per call.
 */
public final class Sampler {

    private final NoiseSource noise;
    private final Denoiser denoiser;
    private final Integrator integrator;
    private final GuidanceTerm[] guidance;
    private final float[] prediction;

    /** @param capacity the largest sample length this sampler will integrate */
    public Sampler(NoiseSource noise, Denoiser denoiser, Integrator integrator, GuidanceTerm[] guidance,
            int capacity) {
        this.noise = noise;
        this.denoiser = denoiser;
        this.integrator = integrator;
        this.guidance = guidance.clone();
        this.prediction = new float[capacity];
    }

    public int steps() {
        return integrator.steps();
    }

    /** Draws the initial sample into {@code x[0, length)} and integrates it to actions in place. */
    public void sample(float[] x, int length) {
        noise.fill(x, length);
        integrate(x, length);
    }

    /** Integrates {@code x[0, length)} (already holding the initial sample) to actions in place. */
    public void integrate(float[] x, int length) {
        int n = integrator.steps();
        for (int i = 0; i < n; i++) {
            double t = integrator.time(i);
            denoiser.predict(x, length, t, prediction);
            integrator.update(i, x, prediction, length);
            for (GuidanceTerm term : guidance) {
                if (term.activeAt(i, n)) {
                    term.apply(i, t, x, length);
                }
            }
        }
    }
}
