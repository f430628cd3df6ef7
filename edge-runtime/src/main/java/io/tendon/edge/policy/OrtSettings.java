package io.tendon.edge.policy;

/**
 * How sessions are created.
 *
 * @param provider         CPU, or CUDA when the build and the machine have it (else CPU, logged once)
 * @param cudaDeviceId     CUDA device ordinal (0-63)
 * @param intraOpThreads   threads one graph run may use (1-64)
 * @param optimisation     graph optimisation level
 * @param warmupRuns       runs of every graph at load, before the first real step (0-10000)
 */
public record OrtSettings(ExecutionProvider provider, int cudaDeviceId, int intraOpThreads,
        OptimisationLevel optimisation, int warmupRuns) {

    public OrtSettings {
        if (provider == null || optimisation == null) {
            throw new IllegalArgumentException("provider and optimisation level are required");
        }
        if (cudaDeviceId < 0 || cudaDeviceId > 63) {
            throw new IllegalArgumentException("cuda device id must be in [0, 63], was " + cudaDeviceId);
        }
        if (intraOpThreads < 1 || intraOpThreads > 64) {
            throw new IllegalArgumentException("intra-op threads must be in [1, 64], was " + intraOpThreads);
        }
        if (warmupRuns < 0 || warmupRuns > 10_000) {
            throw new IllegalArgumentException("warm-up runs must be in [0, 10000], was " + warmupRuns);
        }
    }

    /** One CPU thread, every optimisation, 10 warm-up runs: the reference settings. */
    public static OrtSettings cpu() {
        return new OrtSettings(ExecutionProvider.CPU, 0, 1, OptimisationLevel.ALL, 10);
    }
}
