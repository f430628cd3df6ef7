package io.tendon.learner.policy;

import com.google.protobuf.util.JsonFormat;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.PolicyMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The little of a policy bundle the learner reads: {@code manifest.json} (protobuf JSON of
 * {@link BundleManifest}) and the head graph's bytes. The edge runtime owns full validation.
 */
public record PolicyBundle(Path directory, BundleManifest manifest) {

    public static final String MANIFEST = "manifest.json";

    /** Reads and parses the manifest; a clear error names the file and the problem. */
    public static PolicyBundle read(Path directory) throws IOException {
        Path file = directory.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new IOException("policy bundle " + directory + " has no " + MANIFEST);
        }
        BundleManifest.Builder builder = BundleManifest.newBuilder();
        try {
            JsonFormat.parser().merge(Files.readString(file, StandardCharsets.UTF_8), builder);
        } catch (IOException e) {
            throw new IOException(file + " is not a valid BundleManifest: " + e.getMessage(), e);
        }
        BundleManifest manifest = builder.build();
        if (manifest.getManifestVersion() != 1) {
            throw new IOException(file + ": manifest_version " + manifest.getManifestVersion() + " is not 1");
        }
        return new PolicyBundle(directory, manifest);
    }

    /** The spec of the graph with this role, if the manifest declares one. */
    public Optional<GraphSpec> graph(GraphRole role) {
        return manifest.getGraphsList().stream().filter(g -> g.getRole() == role).findFirst();
    }

    /**
     * The head graph's bytes. The learner runs CHUNK heads only: a FLOW or TWO_RATE policy is
     * too large to run here, and its robots send base-policy chunks with each Transition.
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
