package io.tendon.edge.bridge;

import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.Targets;
import io.tendon.schemas.v1.InterventionCommand;
import io.tendon.schemas.v1.InterventionSummary;
import io.tendon.schemas.v1.Pose;
import java.util.function.LongSupplier;

/**
 * One teleop stream: validates each InterventionCommand and publishes it to the control
 * loop's human TargetBuffer, where an engaged sample overrides the policy from the next tick
 * on and a disengaged one hands control back. Refused (dropped, counted, the previous value
 * stays in force): a sequence not above the last accepted one, a non-finite number, a
 * quaternion that is not unit length, a stiffness list that is not 0, 1 or 6 positive values.
 * Single writer of the buffer: the service allows one stream at a time.
 */
public final class TeleopSession {

    private final TargetBuffer buffer;
    private final ControlCounters metrics;
    private final ControlSettings settings;
    private final LongSupplier clock;
    private final long engagedTicksAtStart;
    private final double[] scratch = new double[4];
    private long lastSequence = -1;
    private long accepted;
    private long dropped;
    private String lastRefusal = "";

    public TeleopSession(TargetBuffer buffer, ControlCounters metrics, ControlSettings settings, LongSupplier clock) {
        this.buffer = buffer;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.engagedTicksAtStart = metrics.ticksHumanEngaged.get();
    }

    /** Validates and publishes one sample; returns null when accepted, else why it was refused. */
    public String accept(InterventionCommand c) {
        String refusal = validate(c);
        if (refusal != null) {
            dropped++;
            lastRefusal = refusal;
            return refusal;
        }
        lastSequence = c.getSequence();
        Targets t = buffer.beginWrite();
        t.human = c.getEngaged();
        t.sequence = c.getSequence();
        t.createdNanos = clock.getAsLong();
        t.forceAxes = 0;
        if (c.getEngaged()) {
            ProtoConversions.toVector(c.getPose(), t.pose, 0, scratch);
            ProtoConversions.toVector(c.hasVirtualTarget() ? c.getVirtualTarget() : c.getPose(), t.virtualTarget, 0,
                    scratch);
            int n = c.getStiffnessCount();
            t.scalarStiffness = n == 1;
            t.stiffnessAlongTarget = n == 1 ? c.getStiffness(0) : 0;
            for (int i = 0; i < 6; i++) {
                t.stiffness[i] = n == 6 ? c.getStiffness(i)
                        : (i < 3 ? settings.defaultStiffnessLinear : settings.defaultStiffnessAngular);
            }
        }
        buffer.publish();
        accepted++;
        return null;
    }

    private String validate(InterventionCommand c) {
        if (lastSequence >= 0 && Long.compareUnsigned(c.getSequence(), lastSequence) <= 0) {
            return "sequence " + Long.toUnsignedString(c.getSequence()) + " is not above " + lastSequence;
        }
        if (!c.getEngaged()) {
            return null; // handing back needs no pose
        }
        if (!c.hasPose()) {
            return "an engaged sample needs a pose";
        }
        String poseProblem = checkPose(c.getPose(), "pose");
        if (poseProblem == null && c.hasVirtualTarget()) {
            poseProblem = checkPose(c.getVirtualTarget(), "virtual_target");
        }
        if (poseProblem != null) {
            return poseProblem;
        }
        int n = c.getStiffnessCount();
        if (n != 0 && n != 1 && n != 6) {
            return "stiffness needs 0, 1 or 6 values, got " + n;
        }
        for (int i = 0; i < n; i++) {
            double k = c.getStiffness(i);
            if (!Double.isFinite(k) || k <= 0) {
                return "stiffness[" + i + "] = " + k + " is not a positive finite number";
            }
        }
        return null;
    }

    private static String checkPose(Pose p, String name) {
        double[] v = {p.getPosition().getX(), p.getPosition().getY(), p.getPosition().getZ(),
                p.getOrientation().getW(), p.getOrientation().getX(), p.getOrientation().getY(),
                p.getOrientation().getZ()};
        for (double d : v) {
            if (!Double.isFinite(d)) {
                return name + " has a non-finite number";
            }
        }
        double n2 = v[3] * v[3] + v[4] * v[4] + v[5] * v[5] + v[6] * v[6];
        if (n2 < 0.99 * 0.99 || n2 > 1.01 * 1.01) {
            return name + ".orientation is not a unit quaternion (norm " + Math.sqrt(n2) + ")";
        }
        return null;
    }

    public InterventionSummary summary() {
        return InterventionSummary.newBuilder()
                .setSamplesAccepted(accepted)
                .setSamplesDropped(dropped)
                .setTicksEngaged(metrics.ticksHumanEngaged.get() - engagedTicksAtStart)
                .build();
    }

    public long accepted() {
        return accepted;
    }

    public long dropped() {
        return dropped;
    }

    public String lastRefusal() {
        return lastRefusal;
    }
}
