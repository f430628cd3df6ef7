package io.tendon.edge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The robot link's lateness judgement over two simulated hours at 1 kHz with a driver clock that
 * runs 50 ppm fast or slow against the edge's (about 360 ms of drift either way): every state that
 * arrives in time is accepted, and a truly late one is still dropped as stale. The states go through
 * the same {@link StateScreen} the link's transport thread runs, with the edge's clock simulated.
 */
class DriverClockDriftTest {

    private static final long MS = 1_000_000L;
    private static final long STALE_AFTER = 20 * MS;     // tendon.safety.watchdog.state-timeout default
    private static final long WINDOW = 16_000 * MS;     // tendon.edge.bridge-server.clock-window-seconds default

    @ParameterizedTest(name = "driver clock {0} ppm")
    @ValueSource(ints = {50, -50, 10, -10, 0})
    void inTimeStatesAreAcceptedForTwoHoursAndLateOnesDropped(int ppm) {
        StateScreen screen = new StateScreen(STALE_AFTER, WINDOW, 0);
        SplittableRandom random = new SplittableRandom(ppm + 1000);
        long driverOrigin = 987_654_321_000L; // the driver's monotonic clock has an origin of its own
        long states = 2L * 3600 * 1000;      // two hours at 1 kHz
        long rejectedInTime = 0;
        long lateAccepted = 0;
        long lateSent = 0;
        for (long i = 0; i < states; i++) {
            long edgeMeasured = i * MS;      // edge time at which the state was measured
            long driverClock = driverOrigin + edgeMeasured + edgeMeasured * ppm / 1_000_000L;
            // One-way latency: 150 us base, exponential jitter (mean 200 us), rare 3-8 ms hiccups.
            long latency = 150_000 + (long) (-Math.log(1 - random.nextDouble()) * 200_000);
            if (random.nextInt(1000) == 0) {
                latency += 3 * MS + random.nextLong(5 * MS);
            }
            boolean late = i % 100_000 == 77_777; // now and then a state delivered 60 ms late
            if (late) {
                latency += 60 * MS;
                lateSent++;
            }
            int verdict = screen.screen(i + 1, driverClock, 0, edgeMeasured + latency);
            if (late) {
                lateAccepted += verdict == StateScreen.ACCEPTED ? 1 : 0;
            } else if (verdict != StateScreen.ACCEPTED) {
                rejectedInTime++;
            }
        }
        assertEquals(0, rejectedInTime, "in-time states dropped as stale at " + ppm + " ppm");
        assertTrue(lateSent >= 70);
        assertEquals(0, lateAccepted, "late states accepted at " + ppm + " ppm");
    }

    @ParameterizedTest(name = "driver clock {0} ppm")
    @ValueSource(ints = {50, -50})
    void anAllTimeMinimumWouldHaveFailedTheSlowDriver(int ppm) {
        // The previous model (smallest offset ever seen): at -50 ppm the offset grows by 50 us per
        // second, so after 400 s every state would look later than 20 ms. The windowed estimate does not.
        DriverClock clock = new DriverClock(WINDOW, 8);
        long allTimeBest = Long.MAX_VALUE;
        long worstWindowed = 0;
        long worstAllTime = 0;
        for (long i = 0; i < 7200; i++) { // two hours, one state per second
            long edge = i * 1_000 * MS;
            long driver = edge + edge * ppm / 1_000_000L;
            long arrival = edge + 200_000;
            long offset = arrival - driver;
            allTimeBest = Math.min(allTimeBest, offset);
            worstAllTime = Math.max(worstAllTime, offset - allTimeBest);
            worstWindowed = Math.max(worstWindowed, clock.lateness(driver, arrival));
        }
        assertTrue(worstWindowed <= WINDOW / 1_000_000 * Math.abs(ppm) * 2,
                "windowed error stays within drift x window: " + worstWindowed);
        if (ppm < 0) {
            assertTrue(worstAllTime > 300 * MS, "the all-time minimum drifts without bound: " + worstAllTime);
        }
    }
}
