package io.tendon.edge.sim;

/** How an episode ended (or that it has not). */
public final class EpisodeOutcome {

    private EpisodeOutcome() {
    }

    /** The episode goes on. */
    public static final int RUNNING = 0;
    /** Full insertion depth reached: terminated. */
    public static final int SUCCESS = 1;
    /** Contact force above the simulator's force limit: terminated. */
    public static final int FAILURE = 2;
    /** Episode timeout: truncated. */
    public static final int TIMEOUT = 3;

    public static String name(int outcome) {
        switch (outcome) {
            case SUCCESS: return "SUCCESS";
            case FAILURE: return "FAILURE";
            case TIMEOUT: return "TIMEOUT";
            default: return "RUNNING";
        }
    }
}
