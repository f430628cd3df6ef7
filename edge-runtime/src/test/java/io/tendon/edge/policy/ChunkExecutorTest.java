package io.tendon.edge.policy;

import io.tendon.edge.control.Quaternions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.Targets;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The control-side half of the hand-over, in plain Java: interpolation between plan rows
 * (positions linear, orientations by slerp), what happens before, between and after plans, a
 * writer publishing while the control thread reads, and no allocation in the tick.
 */
class ChunkExecutorTest {

    static final long PERIOD = 100_000_000L;

    /** A 13-component action row: position p, rotation about z by yaw, virtual target offset, stiffness k. */
    static float[] row(float x, float yaw, float k) {
        return new float[] {x, 0.1f, 0.2f, 0f, 0f, yaw, x + 0.01f, 0.1f, 0.19f, 0f, 0f, yaw, k};
    }

    static void publish(ChunkExecutor ex, long firstNanos, long createdNanos, float[]... rows) {
        ActionPlan plan = ex.publisher().beginWrite();
        for (int i = 0; i < rows.length; i++) {
            double[] enc = new double[PlanRow.STRIDE];
            PlanRow.encode(rows[i], 0, true, enc, 0);
            PlanRow.toPlan(enc, 0, plan, i);
        }
        plan.count = rows.length;
        plan.firstNanos = firstNanos;
        plan.periodNanos = PERIOD;
        plan.createdNanos = createdNanos;
        plan.scalarStiffness = true;
        ex.publisher().publish();
    }

    @Test
    void positionsAreLinearAndOrientationsFollowTheGreatCircle() {
        ChunkExecutor ex = new ChunkExecutor(4);
        publish(ex, 0, 7, row(0f, 0f, 100f), row(1f, (float) (Math.PI / 2), 300f));
        Targets t = new Targets();
        assertTrue(ex.targetsAt(PERIOD / 4, t));
        assertEquals(0.25, t.pose[0], 1e-6);
        assertEquals(Math.PI / 8, t.pose[5], 1e-6, "a quarter of the way round: 22.5 degrees about z");
        assertEquals(0.0, t.pose[3], 1e-12);
        assertEquals(0.26, t.virtualTarget[0], 1e-6);
        assertEquals(150.0, t.stiffnessAlongTarget, 1e-9);
        assertTrue(t.scalarStiffness);
        assertEquals(7, t.createdNanos);
    }

    @Test
    void slerpTakesTheShortWayAcrossPi() {
        // 170 degrees about z to -170 degrees about z: 20 degrees apart through 180, not 340 through 0.
        double a = Math.toRadians(170);
        ChunkExecutor ex = new ChunkExecutor(2);
        publish(ex, 0, 0, row(0f, (float) a, 1f), row(0f, (float) -a, 1f));
        Targets t = new Targets();
        ex.targetsAt(PERIOD / 2, t);
        double angle = Math.sqrt(t.pose[3] * t.pose[3] + t.pose[4] * t.pose[4] + t.pose[5] * t.pose[5]);
        assertEquals(Math.PI, angle, 1e-5, "halfway is the half turn");
    }

    @Test
    void beforeThePlanItsFirstRowAfterItsEndItsLastRowThenNothingNew() {
        ChunkExecutor ex = new ChunkExecutor(4);
        Targets t = new Targets();
        assertFalse(ex.targetsAt(0, t), "no plan yet: the control loop keeps its targets");
        publish(ex, PERIOD, 0, row(1f, 0f, 10f), row(2f, 0f, 20f), row(3f, 0f, 30f));
        assertTrue(ex.targetsAt(PERIOD / 2, t));
        assertEquals(1.0, t.pose[0], 1e-9, "before the first row: the first row");
        assertFalse(ex.targetsAt(PERIOD / 2 + 1, t), "and only once");
        assertTrue(ex.targetsAt(2 * PERIOD, t));
        assertEquals(2.0, t.pose[0], 1e-9);
        assertTrue(ex.targetsAt(5 * PERIOD, t));
        assertEquals(3.0, t.pose[0], 1e-9, "past the end: the last row");
        long seq = t.sequence;
        assertFalse(ex.targetsAt(6 * PERIOD, t), "past the end again: nothing new, the age grows for the watchdog");
        assertEquals(seq, t.sequence);
        publish(ex, 6 * PERIOD, 0, row(4f, 0f, 10f), row(5f, 0f, 10f));
        assertTrue(ex.targetsAt(6 * PERIOD + PERIOD / 2, t), "a new plan takes over at once");
        assertEquals(4.5, t.pose[0], 1e-9);
        assertTrue(t.sequence > seq, "sequence numbers keep increasing");
    }

    @Test
    void perAxisStiffnessIsInterpolatedComponentWise() {
        ChunkExecutor ex = new ChunkExecutor(2);
        ActionPlan plan = ex.publisher().beginWrite();
        float[] a = new float[18];
        float[] b = new float[18];
        for (int k = 0; k < 6; k++) {
            a[12 + k] = 100 * (k + 1);
            b[12 + k] = 300 * (k + 1);
        }
        double[] enc = new double[PlanRow.STRIDE];
        PlanRow.encode(a, 0, false, enc, 0);
        PlanRow.toPlan(enc, 0, plan, 0);
        PlanRow.encode(b, 0, false, enc, 0);
        PlanRow.toPlan(enc, 0, plan, 1);
        plan.count = 2;
        plan.periodNanos = PERIOD;
        plan.scalarStiffness = false;
        ex.publisher().publish();
        Targets t = new Targets();
        ex.targetsAt(PERIOD / 2, t);
        assertFalse(t.scalarStiffness);
        assertArrayEquals(new double[] {200, 400, 600, 800, 1000, 1200}, t.stiffness, 1e-9);
    }

    @Test
    void theControlTickAllocatesNothing() {
        ChunkExecutor ex = new ChunkExecutor(4);
        Targets t = new Targets();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) { // warm up, including plan switches
            if (i % 100 == 0) {
                publish(ex, i * 1_000_000L, 0, row(i, 0.1f, 1f), row(i + 1, 0.3f, 2f), row(i + 2, -0.3f, 3f));
            }
            ex.targetsAt(i * 1_000_000L, t);
        }
        // The measured loop itself runs a few rounds first: its on-stack replacement and
        // deoptimisation happen then, and they allocate on this thread (the JIT, not our code).
        long allocated = -1;
        long sum = 0;
        for (int round = 0; round < 5; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            sum += tick100k(ex, t);
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "allocated bytes in 100k control ticks");
        assertTrue(sum > 0);
    }

    private static long tick100k(ChunkExecutor ex, Targets t) {
        long sum = 0;
        for (int i = 0; i < 100_000; i++) {
            ex.targetsAt(19_900_000_000L + (i * 1_000_000L) % (2 * PERIOD), t);
            sum += t.sequence;
        }
        return sum;
    }

    @Test
    void aWriterPublishingConcurrentlyNeverShowsTheReaderAHalfWrittenPlan() throws Exception {
        // Every plan's rows all carry the plan's number in x; a torn read would mix numbers.
        ChunkExecutor ex = new ChunkExecutor(8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            float n = 0;
            while (!stop.get()) {
                n += 1;
                ActionPlan plan = ex.publisher().beginWrite();
                for (int i = 0; i < 8; i++) {
                    double[] enc = new double[PlanRow.STRIDE];
                    PlanRow.encode(row(n, 0f, n), 0, true, enc, 0);
                    PlanRow.toPlan(enc, 0, plan, i);
                }
                plan.count = 8;
                plan.periodNanos = PERIOD;
                plan.scalarStiffness = true;
                ex.publisher().publish();
            }
        });
        writer.start();
        Targets t = new Targets();
        long deadline = System.nanoTime() + 300_000_000L;
        int reads = 0;
        while (System.nanoTime() < deadline) {
            if (ex.targetsAt(PERIOD * 3 + PERIOD / 3, t)) {
                reads++;
                if (t.pose[0] != t.stiffnessAlongTarget) {
                    torn.set("position " + t.pose[0] + " from one plan, stiffness " + t.stiffnessAlongTarget + " from another");
                }
            }
        }
        stop.set(true);
        writer.join();
        assertEquals(null, torn.get());
        assertTrue(reads > 100, "the reader saw " + reads + " plans");
    }

    @Test
    void rotationVectorsSurviveTheQuaternionRoundTrip() {
        double[] q = new double[4];
        double[] back = new double[3];
        double[][] cases = {{0, 0, 0}, {1e-12, 0, 0}, {0.3, -0.2, 0.1}, {0, 0, Math.PI - 1e-6}, {2.0, 1.0, -0.5}};
        for (double[] v : cases) {
            Quaternions.exp(v[0], v[1], v[2], q, 0);
            assertEquals(1.0, q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3], 1e-12);
            Quaternions.log(q, 0, back, 0);
            assertArrayEquals(v, back, 1e-9);
        }
    }
}
