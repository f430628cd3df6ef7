package io.tendon.edge.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Hand-over between threads, and pacing the loop by the wall clock or a simulated clock. */
class LatestValueAndPacerTest {

    @Test
    void mailboxHandsTheNewestValueOverAndReportsOverwrites() {
        LatestValue<long[]> box = new LatestValue<>(() -> new long[1]);
        assertNull(box.take());
        box.beginWrite()[0] = 1;
        assertFalse(box.publish());
        box.beginWrite()[0] = 2;
        assertTrue(box.publish(), "1 was never taken");
        assertEquals(2, box.take()[0]);
        assertNull(box.take(), "nothing new");
    }

    @Test
    void mailboxNeverShowsAHalfWrittenValueAcrossThreads() throws Exception {
        LatestValue<long[]> box = new LatestValue<>(() -> new long[8]);
        Thread writer = new Thread(() -> {
            for (long n = 1; n <= 2_000_000; n++) {
                long[] slot = box.beginWrite();
                for (int i = 0; i < 8; i++) {
                    slot[i] = n;
                }
                box.publish();
            }
        });
        writer.start();
        long last = 0;
        long seen = 0;
        while (writer.isAlive() || last < 2_000_000) {
            long[] v = box.take();
            if (v == null) {
                continue;
            }
            for (int i = 1; i < 8; i++) {
                assertEquals(v[0], v[i], "torn read");
            }
            assertTrue(v[0] > last, "newer values only");
            last = v[0];
            seen++;
        }
        writer.join();
        assertEquals(2_000_000, last);
        assertTrue(seen > 0);
    }

    @Test
    void wallClockPacerSkipsMissedTicksAndCountsThem() throws Exception {
        ControlCounters metrics = new ControlCounters();
        long period = 5_000_000; // 5 ms
        AtomicLong ticks = new AtomicLong();
        WallClockPacer[] pacer = new WallClockPacer[1];
        pacer[0] = new WallClockPacer(period, 200_000, now -> {
            long n = ticks.incrementAndGet();
            if (n == 10) {
                LockSupport.parkNanos(4 * period + period / 2); // one tick overruns by 3.5 periods
            }
            if (n == 20) {
                pacer[0].stop();
            }
        }, metrics);
        Thread t = new Thread(pacer[0], "test-control");
        t.start();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertEquals(20, ticks.get());
        assertTrue(metrics.deadlineMisses.get() >= 3, "3 or more slots skipped, not queued: " + metrics.deadlineMisses.get());
        assertTrue(metrics.deadlineMisses.get() <= 6, "but not invented: " + metrics.deadlineMisses.get());
        assertEquals(20, metrics.jitter.count());
    }

    @Test
    void simulatedClockIsExactAndDeterministic() {
        AtomicLong sum = new AtomicLong();
        SimulatedClockPacer p = new SimulatedClockPacer(1_000_000, 0, sum::addAndGet);
        p.run(1000);
        assertEquals(1_000_000_000L, p.now());
        assertEquals(1_000_000L * 1000 * 1001 / 2, sum.get());
    }
}
