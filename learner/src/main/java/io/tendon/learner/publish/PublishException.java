package io.tendon.learner.publish;

/** An update could not be sent (broker away, refused, timed out); nothing was marked published. */
public final class PublishException extends Exception {

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
