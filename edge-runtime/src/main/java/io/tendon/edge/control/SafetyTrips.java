package io.tendon.edge.control;

/**
 * Why the safety pipeline changed a command: bit flags, equal to the SafetyTrip values of
 * robot.proto, listed in the pipeline's fixed order.
 */
public final class SafetyTrips {

    private SafetyTrips() {
    }

    public static final int NON_FINITE = 1;
    public static final int STIFFNESS_CLAMPED = 2;
    public static final int WORKSPACE = 4;
    public static final int STEP_LIMIT = 8;
    public static final int VELOCITY_LIMIT = 16;
    public static final int ACCELERATION_LIMIT = 32;
    public static final int FORCE_LIMIT = 64;
    public static final int WATCHDOG = 128;

    /** Number of reasons; reason i has flag 1 << i. */
    public static final int COUNT = 8;

    private static final String[] NAMES = {"NON_FINITE", "STIFFNESS_CLAMPED", "WORKSPACE", "STEP_LIMIT",
            "VELOCITY_LIMIT", "ACCELERATION_LIMIT", "FORCE_LIMIT", "WATCHDOG"};

    /** Name of reason {@code index} (0 .. COUNT-1), as in robot.proto. */
    public static String name(int index) {
        return NAMES[index];
    }

    /** "FORCE_LIMIT|WATCHDOG", or "" for none. For tools and logs, not for the tick (it allocates). */
    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < COUNT; i++) {
            if ((flags & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(NAMES[i]);
            }
        }
        return sb.toString();
    }
}
