package io.tendon.schemas.bundle;

/** A bundle manifest that cannot be used: unreadable, malformed, or inconsistent with itself. */
public final class ManifestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
