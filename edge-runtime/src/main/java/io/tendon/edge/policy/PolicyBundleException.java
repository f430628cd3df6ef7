package io.tendon.edge.policy;

/** A bundle that cannot be used: unreadable, malformed, or not matching its own graphs. */
public class PolicyBundleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PolicyBundleException(String message) {
        super(message);
    }

    public PolicyBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
