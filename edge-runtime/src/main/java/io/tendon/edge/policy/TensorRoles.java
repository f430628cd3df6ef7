package io.tendon.edge.policy;

import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.util.Locale;

/** Resolves what a declared tensor carries, and names graphs and roles for error messages. */
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

    /** "head", "fast", ...: the graph role as the manifest and metrics spell it in lower case. */
    public static String graphName(GraphRole role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
