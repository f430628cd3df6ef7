package io.tendon.edge.policy;

import io.tendon.edge.control.LatestValue;

/**
 * Turns the policy's predictions into plans for the {@link ChunkExecutor}. It keeps the
 * committed timeline, one encoded row per policy tick, so that a new plan starts with the rows
 * already committed to the robot while the new chunk was being computed (no jump at the
 * hand-over), continues with the new chunk's rows blended by the {@link TemporalEnsembler}, and
 * ends one row past the executed horizon so that the control side can interpolate up to the
 * next plan.
 *
 * <p>Policy thread only; allocation-free after construction.
 */
public final class ChunkScheduler {

    private final TemporalEnsembler ensembler;
    private final LatestValue<ActionPlan> plans;
    private final boolean scalarStiffness;
    private final long periodNanos;
    private final double[] timeline;
    private final long[] timelineTick;
    private long sequence;

    /**
     * @param timelineRows ticks of history and look-ahead the timeline holds (at least the
     *                     longest plan)
     * @param periodNanos  one policy step, nanoseconds
     */
    public ChunkScheduler(TemporalEnsembler ensembler, LatestValue<ActionPlan> plans, int timelineRows,
            boolean scalarStiffness, long periodNanos) {
        this.ensembler = ensembler;
        this.plans = plans;
        this.scalarStiffness = scalarStiffness;
        this.periodNanos = periodNanos;
        timeline = new double[timelineRows * PlanRow.STRIDE];
        timelineTick = new long[timelineRows];
        java.util.Arrays.fill(timelineTick, Long.MIN_VALUE);
    }

    public long periodNanos() {
        return periodNanos;
    }

    /**
     * Stores a prediction: {@code count} raw action rows, row {@code r} for tick {@code start + r}
     * (pass only the rows that can still be executed: rows dropped for latency never are).
     */
    public void accept(long start, float[] actions, int offset, int count, int dim) {
        ensembler.add(start, actions, offset, count, dim, scalarStiffness);
    }

    /** Commits the ensembled rows for ticks {@code from..to} (inclusive) that some prediction covers. */
    public void commit(long from, long to) {
        for (long s = from; s <= to; s++) {
            int slot = slot(s);
            if (ensembler.blend(s, timeline, slot * PlanRow.STRIDE)) {
                timelineTick[slot] = s;
            }
        }
    }

    /** True when the timeline holds a committed row for {@code tick}. */
    public boolean committed(long tick) {
        return timelineTick[slot(tick)] == tick;
    }

    /**
     * Publishes the committed rows for ticks {@code from..to} as one plan (leading ticks without
     * a committed row are skipped; the plan ends at the first gap after that). Row times are
     * {@code anchorNanos + (tick - anchorTick) * period}. Returns the rows published (0: none,
     * nothing published). {@code policyVersion} is the version of the policy that made the rows.
     */
    public int publish(long from, long to, long anchorTick, long anchorNanos, long createdNanos, long policyVersion) {
        long first = from;
        while (first <= to && !committed(first)) {
            first++;
        }
        if (first > to) {
            return 0;
        }
        ActionPlan plan = plans.beginWrite();
        int count = 0;
        for (long s = first; s <= to && count < plan.capacity && committed(s); s++) {
            PlanRow.toPlan(timeline, slot(s) * PlanRow.STRIDE, plan, count++);
        }
        plan.count = count;
        plan.firstTick = first;
        plan.periodNanos = periodNanos;
        plan.firstNanos = anchorNanos + (first - anchorTick) * periodNanos;
        plan.createdNanos = createdNanos;
        plan.scalarStiffness = scalarStiffness;
        plan.sequence = ++sequence;
        plan.policyVersion = policyVersion;
        plans.publish();
        return count;
    }

    /** Forgets the timeline and every stored prediction (a new episode, a new bundle). */
    public void reset() {
        java.util.Arrays.fill(timelineTick, Long.MIN_VALUE);
        ensembler.clear();
    }

    private int slot(long tick) {
        return (int) Math.floorMod(tick, (long) timelineTick.length);
    }
}
