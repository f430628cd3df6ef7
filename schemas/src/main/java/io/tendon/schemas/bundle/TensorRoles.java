package io.tendon.schemas.bundle;

import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.util.List;
import java.util.Locale;

/**
 * The tensor-role contract of policy graphs, read the same way by the edge (which feeds and
 * reads graphs by role) and the learner (which exports graphs the edge must accept): what a
 * declared tensor carries, and how many elements it holds.
 */
public final class TensorRoles {

    private TensorRoles() {
    }

    /**
     * The tensor's role: its declared role, or the role named like the tensor ("latent" is
     * LATENT), or null when neither gives one.
     */
    public static TensorRole of(TensorSpec spec) {
        if (spec.getRole() != TensorRole.TENSOR_ROLE_UNSPECIFIED && spec.getRole() != TensorRole.UNRECOGNIZED) {
            return spec.getRole();
        }
        String name = spec.getName().toUpperCase(Locale.ROOT);
        for (TensorRole role : TensorRole.values()) {
            if (role != TensorRole.UNRECOGNIZED && role != TensorRole.TENSOR_ROLE_UNSPECIFIED
                    && role.name().equals(name)) {
                return role;
            }
        }
        return null;
    }

    /** The first of {@code tensors} with {@code role}, or null. */
    public static TensorSpec find(List<TensorSpec> tensors, TensorRole role) {
        for (TensorSpec t : tensors) {
            if (of(t) == role) {
                return t;
            }
        }
        return null;
    }

    /** Elements of a declared tensor: -1 at index 0 is the batch (1), -1 elsewhere the window {@code n}. */
    public static long elements(TensorSpec spec, int n) {
        long count = 1;
        for (int i = 0; i < spec.getShapeCount(); i++) {
            long dim = spec.getShape(i);
            count *= dim == -1 ? (i == 0 ? 1 : n) : dim;
        }
        return count;
    }

    /** "head", "fast", ...: the graph role as the manifest and metrics spell it in lower case. */
    public static String graphName(GraphRole role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
