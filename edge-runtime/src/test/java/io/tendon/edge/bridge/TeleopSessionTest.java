package io.tendon.edge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.Targets;
import io.tendon.schemas.v1.InterventionCommand;
import io.tendon.schemas.v1.Pose;
import io.tendon.schemas.v1.Quaternion;
import io.tendon.schemas.v1.Vector3;
import org.junit.jupiter.api.Test;

class TeleopSessionTest {

    private final TargetBuffer buffer = new TargetBuffer();
    private final ControlSettings settings = ControlSettings.defaults();
    private final TeleopSession session = new TeleopSession(buffer, new ControlCounters(), settings, () -> 77L);

    private static Pose pose(double x, double qw, double qz) {
        return Pose.newBuilder().setPosition(Vector3.newBuilder().setX(x).setY(0.1).setZ(0.2))
                .setOrientation(Quaternion.newBuilder().setW(qw).setZ(qz)).build();
    }

    @Test
    void engagedSampleBecomesHumanTargets() {
        double h = Math.sqrt(0.5);
        assertNull(session.accept(InterventionCommand.newBuilder().setSequence(1).setEngaged(true)
                .setPose(pose(0.5, h, h)).setVirtualTarget(pose(0.52, 1, 0)).addStiffness(400).build()));
        Targets t = new Targets();
        assertTrue(buffer.readLatest(t));
        assertTrue(t.human);
        assertEquals(77L, t.createdNanos, "stamped on the loop's clock");
        assertEquals(0.5, t.pose[0]);
        assertEquals(Math.PI / 2, t.pose[5], 1e-12, "quaternion to rotation vector: 90 degrees about z");
        assertEquals(0.52, t.virtualTarget[0]);
        assertTrue(t.scalarStiffness);
        assertEquals(400, t.stiffnessAlongTarget);

        assertNull(session.accept(InterventionCommand.newBuilder().setSequence(2).setEngaged(true)
                .setPose(pose(0.5, 1, 0)).build()));
        assertTrue(buffer.readLatest(t));
        assertFalse(t.scalarStiffness);
        assertEquals(settings.defaultStiffnessLinear, t.stiffness[0], "no stiffness given: the defaults");
        assertEquals(0.5, t.virtualTarget[0], "no virtual target: the pose");

        assertNull(session.accept(InterventionCommand.newBuilder().setSequence(3).setEngaged(false).build()));
        assertTrue(buffer.readLatest(t));
        assertFalse(t.human, "handed back");
        assertEquals(3, session.summary().getSamplesAccepted());
    }

    @Test
    void invalidSamplesAreRefusedWithAReasonAndChangeNothing() {
        assertNull(session.accept(InterventionCommand.newBuilder().setSequence(5).setEngaged(true)
                .setPose(pose(0.5, 1, 0)).build()));
        Targets t = new Targets();
        buffer.readLatest(t);
        String[] refusals = {
            session.accept(InterventionCommand.newBuilder().setSequence(5).setEngaged(true).setPose(pose(0.6, 1, 0)).build()),
            session.accept(InterventionCommand.newBuilder().setSequence(6).setEngaged(true).build()),
            session.accept(InterventionCommand.newBuilder().setSequence(7).setEngaged(true)
                    .setPose(pose(Double.POSITIVE_INFINITY, 1, 0)).build()),
            session.accept(InterventionCommand.newBuilder().setSequence(8).setEngaged(true).setPose(pose(0.6, 0.9, 0)).build()),
            session.accept(InterventionCommand.newBuilder().setSequence(9).setEngaged(true).setPose(pose(0.6, 1, 0))
                    .addStiffness(1).addStiffness(2).build()),
            session.accept(InterventionCommand.newBuilder().setSequence(10).setEngaged(true).setPose(pose(0.6, 1, 0))
                    .addStiffness(Double.NaN).build()),
        };
        assertTrue(refusals[0].contains("not above"));
        assertTrue(refusals[1].contains("needs a pose"));
        assertTrue(refusals[2].contains("non-finite"));
        assertTrue(refusals[3].contains("unit quaternion"));
        assertTrue(refusals[4].contains("0, 1 or 6"));
        assertTrue(refusals[5].contains("positive finite"));
        assertFalse(buffer.readLatest(t), "nothing published");
        assertEquals(6, session.summary().getSamplesDropped());
        assertEquals(1, session.summary().getSamplesAccepted());
    }
}
