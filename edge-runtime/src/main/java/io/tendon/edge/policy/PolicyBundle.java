package io.tendon.edge.policy;

import io.tendon.schemas.bundle.CheckedManifest;
import io.tendon.schemas.bundle.ManifestException;
import io.tendon.schemas.bundle.ManifestReader;
import io.tendon.schemas.bundle.TensorRoles;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.TensorSpec;
import java.nio.file.Path;

/**
 * A policy bundle as the edge runs it: a directory with {@code manifest.json} and the ONNX
 * graphs it names, its manifest read and checked by the contract's own reader
 * ({@link ManifestReader}, in the schemas module: the checks that need no ONNX Runtime), plus
 * the edge's view of the action row ({@link ActionSpace}). Whether the graphs themselves match
 * their declarations is checked when sessions are created ({@link PolicyGraphs}).
 */
public final class PolicyBundle extends CheckedManifest {

    /** The manifest format version this runtime reads. */
    public static final int MANIFEST_VERSION = ManifestReader.MANIFEST_VERSION;
    public static final String MANIFEST_FILE = ManifestReader.MANIFEST_FILE;

    public final ActionSpace actionSpace;

    private PolicyBundle(CheckedManifest c) {
        super(c);
        float[][] bounds = c.actionBounds();
        this.actionSpace = new ActionSpace(manifest.getActionLayout().getKind(), bounds[0], bounds[1],
                c.actionMean(), c.actionStd());
    }

    /** Reads and checks {@code directory/manifest.json}. */
    public static PolicyBundle open(Path directory) {
        try {
            return new PolicyBundle(ManifestReader.read(directory));
        } catch (ManifestException e) {
            throw new PolicyBundleException(e.getMessage(), e);
        }
    }

    /** Parses manifest JSON strictly: an unknown key or a malformed value is an error. */
    public static BundleManifest parse(String json, String source) {
        try {
            return ManifestReader.parse(json, source);
        } catch (ManifestException e) {
            throw new PolicyBundleException(e.getMessage(), e);
        }
    }

    /** Checks a parsed manifest against the bundle directory; every problem found is reported at once. */
    public static PolicyBundle check(Path directory, BundleManifest m) {
        try {
            return new PolicyBundle(ManifestReader.check(directory, m));
        } catch (ManifestException e) {
            throw new PolicyBundleException(e.getMessage(), e);
        }
    }

    public double controlHz() {
        return manifest.getRates().getControlHz();
    }

    public double policyHz() {
        return manifest.getRates().getPolicyHz();
    }

    public double residualScale() {
        return manifest.getResidualScale();
    }

    /** Elements of a declared tensor: -1 at index 0 is the batch (1), -1 elsewhere the window {@code n}. */
    public static long elements(TensorSpec spec, int n) {
        return TensorRoles.elements(spec, n);
    }
}
