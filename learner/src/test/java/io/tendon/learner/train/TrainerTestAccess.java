package io.tendon.learner.train;

import java.nio.file.Path;

/** Lets other test packages (the benchmarks) write the test bundle that {@link TrainerTest} uses. */
public final class TrainerTestAccess {

    private TrainerTestAccess() {
    }

    public static Path bundle(Path dir) throws Exception {
        return TrainerTest.bundle(dir);
    }
}
