package io.tendon.schemas.update;

/** A policy update that must not be used, with the reason. */
public final class UpdateRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final UpdateRefusal reason;

    public UpdateRefusedException(UpdateRefusal reason, String detail) {
        super(reason.label() + ": " + detail);
        this.reason = reason;
    }

    public UpdateRefusal reason() {
        return reason;
    }
}
