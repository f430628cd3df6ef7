package io.tendon.edge.policy;

/** A graph whose inputs or outputs are not what the manifest declares for its role. */
public final class GraphMismatchException extends PolicyBundleException {

    private static final long serialVersionUID = 1L;

    public GraphMismatchException(String message) {
        super(message);
    }
}
