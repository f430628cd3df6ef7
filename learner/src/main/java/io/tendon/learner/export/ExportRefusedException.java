package io.tendon.learner.export;

/** An export that must not be published, with the reason. */
public final class ExportRefusedException extends Exception {

    public ExportRefusedException(String reason) {
        super(reason);
    }

    public ExportRefusedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
