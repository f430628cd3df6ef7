package io.tendon.edge.policy;

import java.nio.file.Path;

/** Bundles for the service package's tests (the generators are package-private here). */
public final class ServiceFixtures {

    private ServiceFixtures() {
    }

    public static Path chunkBundle(Path dir) {
        return ReferenceBundles.chunkHead(dir);
    }

    public static Path twoRateBundle(Path dir) {
        return ReferenceBundles.twoRate(dir);
    }

    /** Fills an observation with smooth values that change with {@code tick}. */
    public static void observe(Observation o, long tick, long stampNanos) {
        ReferenceBundles.observe(o, tick, stampNanos);
    }
}
