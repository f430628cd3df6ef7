package io.tendon.edge.logging;

/**
 * The episode and policy version the edge is working on, for log records of any thread. Written by
 * {@link LogContextUpdater} on the step dispatcher thread, read by {@link LogContextFilter} on
 * whichever thread logs. Static because log filters are created before CDI exists.
 */
public final class LogContext {

    private static volatile String episodeId = "";
    private static volatile String policyVersion = "";

    private LogContext() {
    }

    static void update(String episode, String version) {
        episodeId = episode;
        policyVersion = version;
    }

    /** The running episode's id, "" before the first policy step. */
    public static String episodeId() {
        return episodeId;
    }

    /** The version of the policy in charge ("demonstrator", "none" or a number), "" before the first policy step. */
    public static String policyVersion() {
        return policyVersion;
    }
}
