package io.tendon.learner.policy;

import io.tendon.schemas.bundle.CheckedManifest;
import io.tendon.schemas.bundle.ManifestException;
import io.tendon.schemas.bundle.ManifestReader;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.PolicyMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The policy bundle as the learner reads it: {@code manifest.json} read and checked by the
 * contract's reader (the same code the edge runs, {@link ManifestReader}), and the head graph's
 * bytes.
 */
public record PolicyBundle(Path directory, BundleManifest manifest) {

    public static final String MANIFEST = ManifestReader.MANIFEST_FILE;

    /** Reads and checks the manifest; a clear error names the file and every problem. */
    public static PolicyBundle read(Path directory) throws IOException {
        try {
            CheckedManifest checked = ManifestReader.read(directory);
            return new PolicyBundle(checked.directory, checked.manifest);
        } catch (ManifestException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * M, the base_samples_per_transition of the bundle in {@code bundleDir} (0 without one): the
     * replay and the decoder keep that many base-policy chunks at s and at s' per transition.
     *
     * @throws IllegalArgumentException when the bundle cannot be read
     */
    public static int declaredBaseSamples(Optional<String> bundleDir) {
        if (bundleDir.isEmpty()) {
            return 0;
        }
        try {
            return read(Path.of(bundleDir.get())).manifest().getBaseSamplesPerTransition();
        } catch (IOException e) {
            throw new IllegalArgumentException("tendon.policy.bundle-dir: " + e.getMessage(), e);
        }
    }

    /** M of this bundle (see {@link #declaredBaseSamples}). */
    public int baseSamples() {
        return manifest.getBaseSamplesPerTransition();
    }

    /**
     * True when the learner trains against the base chunks the robots send with each transition
     * (M > 0) instead of running a head itself: the only way for FLOW and TWO_RATE bundles.
     */
    public boolean baseFromTransitions() {
        return manifest.getBaseSamplesPerTransition() > 0;
    }

    /** The spec of the graph with this role, if the manifest declares one. */
    public Optional<GraphSpec> graph(GraphRole role) {
        return manifest.getGraphsList().stream().filter(g -> g.getRole() == role).findFirst();
    }

    /**
     * The head graph's bytes. The learner runs CHUNK heads only: a FLOW or TWO_RATE policy is
     * too large to run here; its robots send base-policy chunks with each Transition instead
     * (base_samples_per_transition > 0, {@link #baseFromTransitions}).
     */
    public byte[] headBytes() throws IOException {
        if (manifest.getMode() != PolicyMode.CHUNK) {
            throw new IOException("bundle " + directory + " is a " + manifest.getMode()
                    + " policy; the learner runs CHUNK heads only");
        }
        GraphSpec head = graph(GraphRole.HEAD)
                .orElseThrow(() -> new IOException("bundle " + directory + " declares no HEAD graph"));
        Path file = directory.resolve(head.getFile()).normalize();
        if (!file.startsWith(directory.normalize())) {
            throw new IOException("head file '" + head.getFile() + "' lies outside the bundle");
        }
        return Files.readAllBytes(file);
    }

    /**
     * True when the bundle ships a head graph the learner can run as the frozen base (a CHUNK
     * head with a file); false when its head arrives by update (the learner's own BC head then
     * becomes the base) or the mode is not CHUNK.
     */
    public boolean hasRunnableHead() {
        return manifest.getMode() == PolicyMode.CHUNK
                && graph(GraphRole.HEAD).map(h -> !h.getFile().isEmpty()).orElse(false);
    }

    /**
     * Per-component action bounds of one row (lower, upper), if the manifest declares them
     * with {@code actionDim} entries each.
     */
    public Optional<float[][]> actionBounds(int actionDim) {
        var layout = manifest.getActionLayout();
        if (layout.getLowerCount() != actionDim || layout.getUpperCount() != actionDim) {
            return Optional.empty();
        }
        float[] lo = new float[actionDim];
        float[] hi = new float[actionDim];
        for (int i = 0; i < actionDim; i++) {
            lo[i] = layout.getLower(i);
            hi[i] = layout.getUpper(i);
        }
        return Optional.of(new float[][] {lo, hi});
    }
}
