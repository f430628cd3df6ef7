package io.tendon.edge.step;

/** How an episode ended (or that it has not). */
public final class EpisodeOutcome {

    private EpisodeOutcome() {
    }

    /** The episode goes on. */
    public static final int RUNNING = 0;
    /** The task succeeded (simulator: full insertion depth; robot: an operator's SUCCESS mark): terminated. */
    public static final int SUCCESS = 1;
    /** The task failed (simulator: contact force above its limit; robot: a FAILURE mark): terminated. */
    public static final int FAILURE = 2;
    /** Cut off (simulator: episode timeout; robot: a TIMEOUT or ABORT mark): truncated, bootstrap from s'. */
    public static final int TIMEOUT = 3;

    /** True for the outcomes that end an episode in a terminal state (no bootstrap from s'). */
    public static boolean terminal(int outcome) {
        return outcome == SUCCESS || outcome == FAILURE;
    }

    public static String name(int outcome) {
        switch (outcome) {
            case SUCCESS: return "SUCCESS";
            case FAILURE: return "FAILURE";
            case TIMEOUT: return "TIMEOUT";
            default: return "RUNNING";
        }
    }
}
