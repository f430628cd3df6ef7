package io.tendon.edge.bridge;

/**
 * What a robot driver's state stream must satisfy before a state drives a control tick, per
 * connection: a sequence above the last accepted one and a driver clock that did not go backwards
 * (else OUT_OF_ORDER), an arrival no later than the connection's best recent arrival plus the stale
 * limit ({@link DriverClock}; else STALE), and either no observation features or exactly the
 * layout's number (else BAD_FEATURES). A state with {@code monotonic_nanos} 0 carries no clock and
 * is never judged stale. One thread; no allocation.
 */
final class StateScreen {

    static final int ACCEPTED = 0;
    static final int OUT_OF_ORDER = 1;
    static final int STALE = 2;
    static final int BAD_FEATURES = 3;

    private final long staleAfterNanos;
    private final int featureDim;
    private final DriverClock clock;
    private long lastSequence = -1;
    private long lastMonotonic = Long.MIN_VALUE;

    StateScreen(long staleAfterNanos, long clockWindowNanos, int featureDim) {
        this.staleAfterNanos = staleAfterNanos;
        this.featureDim = featureDim;
        this.clock = new DriverClock(clockWindowNanos, 8);
    }

    /**
     * @param sequence     the state's sequence (unsigned)
     * @param monotonic    the driver's clock at measurement, ns; 0 for none
     * @param featureCount observation features the state carries
     * @param nowNanos     the edge's clock on arrival
     */
    int screen(long sequence, long monotonic, int featureCount, long nowNanos) {
        if (lastSequence >= 0 && Long.compareUnsigned(sequence, lastSequence) <= 0
                || monotonic != 0 && lastMonotonic != Long.MIN_VALUE && monotonic <= lastMonotonic) {
            return OUT_OF_ORDER;
        }
        if (monotonic != 0) {
            long late = clock.lateness(monotonic, nowNanos);
            lastMonotonic = monotonic;
            if (late > staleAfterNanos) {
                lastSequence = sequence;
                return STALE;
            }
        }
        if (featureCount != 0 && featureCount != featureDim) {
            return BAD_FEATURES;
        }
        lastSequence = sequence;
        return ACCEPTED;
    }
}
