package io.tendon.learner.publish;

import io.tendon.schemas.v1.PolicyUpdate;
import java.util.List;

/**
 * The parts of one signed update, ready to send. Made only by {@link PolicyPublisher#sign}
 * from a verified export, so nothing unsigned or unverified can be sent.
 */
public final class SignedPolicyUpdate {

    private final List<PolicyUpdate> parts;

    SignedPolicyUpdate(List<PolicyUpdate> parts) {
        this.parts = List.copyOf(parts);
    }

    /** Every part, in order (protobuf messages are immutable). */
    public List<PolicyUpdate> parts() {
        return parts;
    }

    public long version() {
        return parts.get(0).getVersion();
    }

    public String graph() {
        return parts.get(0).getGraph();
    }
}
